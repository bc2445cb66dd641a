"""When a downstream service fails, the rest of the response still arrives, with coded errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bff.app import create_app
from bff.settings import Settings
from mocks.runner import MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient
from tests.support.served import ServedApp, free_port


@pytest.fixture(scope="module")
def courier_down() -> Iterator[GraphQLClient]:
    """The mocks started without the courier service: its URL points at a closed port."""
    with MockServers(only=("menu", "order")) as mocks:
        settings = Settings(
            menu_url=mocks.urls["menu"],
            order_url=mocks.urls["order"],
            courier_url=f"http://127.0.0.1:{free_port()}",
        )
        with ServedApp(create_app(settings)) as bff:
            yield GraphQLClient(bff.url, "mobile")


def test_my_orders_with_courier_service_down(courier_down: GraphQLClient) -> None:
    result = courier_down.operation("MyOrders", {"first": 20}, user="u_1")

    edges = result.data["me"]["orders"]["edges"]
    assert len(edges) == 20
    for index, edge in enumerate(edges):
        node = edge["node"]
        assert node["restaurant"]["name"]
        assert all(item["menuItem"]["name"] for item in node["items"])
        assert node["delivery"] is None
        errors = result.errors_at("me", "orders", "edges", index, "node", "delivery")
        assert [e["extensions"]["code"] for e in errors] == ["DOWNSTREAM_UNAVAILABLE"]
    assert set(result.codes()) == {"DOWNSTREAM_UNAVAILABLE"}
    text = str(result.body)
    assert "127.0.0.1" not in text and "Traceback" not in text and "ConnectError" not in text


def test_restaurant_menu_unaffected_by_courier_outage(courier_down: GraphQLClient) -> None:
    result = courier_down.operation("RestaurantMenu", {"id": "r_1"})
    assert result.errors == []
    assert result.data["restaurant"]["menu"]


@pytest.mark.parametrize(
    "fault",
    [
        {"error_rate": 1.0, "error_status": 503, "retry_after": 1},
        {"error_rate": 1.0, "error_status": 500},
        {"error_rate": 1.0, "error_status": 429, "retry_after": 2},
        {"drop_rate": 1.0},
    ],
    ids=["503", "500", "429", "dropped"],
)
def test_menu_faults_become_downstream_unavailable(
    mobile: GraphQLClient, admin: MockAdmin, fault: dict[str, object]
) -> None:
    admin.fault("menu", **fault)
    result = mobile.operation("MyOrders", {"first": 5}, user="u_1")

    edges = result.data["me"]["orders"]["edges"]
    assert len(edges) == 5
    assert all(edge["node"]["restaurant"] is None for edge in edges)
    assert set(result.codes()) == {"DOWNSTREAM_UNAVAILABLE"}
    restaurant_errors = [e for e in result.errors if e["path"][-1] == "restaurant"]
    assert len(restaurant_errors) == 5


def test_order_service_outage_nulls_me_orders_only(mobile: GraphQLClient, admin: MockAdmin) -> None:
    admin.fault("order", outage=True)
    result = mobile.operation("HomeFeed", {"lat": 38.7223, "lng": -9.1393}, user="u_1")
    assert result.data["me"] == {"id": "u_1", "activeOrders": None}
    assert len(result.data["nearbyRestaurants"]["edges"]) == 10
    assert "DOWNSTREAM_UNAVAILABLE" in result.codes()
