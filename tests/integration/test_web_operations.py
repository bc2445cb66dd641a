"""Every web query operation, end to end: its data, its downstream calls and its auth rules."""

from __future__ import annotations

from tests.integration.test_mobile_operations import LISBON, active_order_with_courier
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient


def test_order_history_costs_five_calls_and_carries_full_orders(
    web: GraphQLClient, admin: MockAdmin
) -> None:
    expected = admin.get("order", "/v1/orders", customer_id="u_1", limit="20")["items"]
    admin.reset()
    result = web.operation("OrderHistory", {"first": 20}, user="u_1")

    assert result.errors == []
    me = result.data["me"]
    assert me["id"] == "u_1"
    nodes = [edge["node"] for edge in me["orders"]["edges"]]
    assert [n["id"] for n in nodes] == [o["id"] for o in expected]
    node, order = nodes[0], expected[0]
    assert node["subtotal"]["amount"] == order["subtotal"]["amount"]
    assert node["deliveryFee"]["amount"] == order["delivery_fee"]["amount"]
    assert node["total"] == {
        "amount": order["total"]["amount"],
        "currency": order["total"]["currency"],
        "formatted": f"€{order['total']['amount'] / 100:,.2f}",
    }
    assert [s["status"] for s in node["statusHistory"]] == [
        s["status"] for s in order["status_history"]
    ]
    assert node["restaurant"]["address"]["city"]
    assert all(edge["cursor"] for edge in me["orders"]["edges"])
    assert admin.calls() == {
        "order GET /v1/orders": 1,
        "menu GET /v1/restaurants": 1,
        "menu GET /v1/menu-items": 1,
        "courier GET /v1/deliveries": 1,
        "courier GET /v1/couriers": 1,
    }


def test_order_history_filters_by_status(web: GraphQLClient) -> None:
    result = web.operation("OrderHistory", {"first": 50, "status": "DELIVERED"}, user="u_1")
    statuses = {e["node"]["status"] for e in result.data["me"]["orders"]["edges"]}
    assert statuses == {"DELIVERED"}


def test_order_history_allows_a_hundred_but_not_more(web: GraphQLClient) -> None:
    assert web.operation("OrderHistory", {"first": 100}, user="u_1").errors == []
    over = web.operation("OrderHistory", {"first": 101}, user="u_1")
    assert over.data["me"]["orders"] is None
    assert over.codes() == ["BAD_USER_INPUT"]


def test_order_history_edge_cursor_resumes_after_its_edge(web: GraphQLClient) -> None:
    page = web.operation("OrderHistory", {"first": 6}, user="u_1").data["me"]["orders"]["edges"]
    resumed = web.operation("OrderHistory", {"first": 3, "after": page[2]["cursor"]}, user="u_1")
    ids = [e["node"]["id"] for e in resumed.data["me"]["orders"]["edges"]]
    assert ids == [e["node"]["id"] for e in page[3:6]]


def test_order_detail(web: GraphQLClient, admin: MockAdmin) -> None:
    order = active_order_with_courier(admin)
    admin.reset()
    result = web.operation("OrderDetail", {"id": order["id"]}, user="u_1")

    assert result.errors == []
    detail = result.data["order"]
    assert detail["deliveryAddress"]["line1"] == order["delivery_address"]["line1"]
    assert detail["delivery"]["distanceMeters"] == order["delivery"]["distance_m"]
    assert detail["delivery"]["courier"]["phone"]
    assert detail["createdAt"].endswith("Z")
    assert admin.calls() == {
        "order GET /v1/orders": 1,
        "courier GET /v1/deliveries": 1,
        "menu GET /v1/restaurants": 1,
        "menu GET /v1/menu-items": 1,
        "courier GET /v1/couriers": 1,
    }


def test_courier_phone_hidden_once_delivered(web: GraphQLClient, admin: MockAdmin) -> None:
    delivered = admin.get("order", "/v1/orders", customer_id="u_1", status="DELIVERED", limit="50")[
        "items"
    ]
    ids = ",".join(o["id"] for o in delivered)
    deliveries = admin.get("courier", "/v1/deliveries", order_ids=ids)["items"]
    done = next(d for d in deliveries if d["courier_id"] and d["status"] == "DELIVERED")
    result = web.operation("OrderDetail", {"id": done["order_id"]}, user="u_1")
    courier = result.data["order"]["delivery"]["courier"]
    assert courier["name"]
    assert courier["phone"] is None
    assert result.errors == []


def test_restaurant_page(web: GraphQLClient, admin: MockAdmin) -> None:
    source = admin.get("menu", "/v1/restaurants/r_1")
    admin.reset()
    result = web.operation("RestaurantPage", {"id": "r_1"})

    assert result.errors == []
    page = result.data["restaurant"]
    assert page["name"] == source["name"]
    assert page["imageUrl"] == source["image_url"]
    assert page["address"]["postcode"] == source["address"]["postcode"]
    assert len(page["openingHours"]) == len(source["opening_hours"])
    assert page["ratingCount"] == source["rating_count"]
    assert sum(len(s["items"]) for s in page["menu"]) >= 20
    assert admin.calls() == {"menu GET /v1/restaurants": 1, "menu GET /v1/restaurants/{id}/menu": 1}


def test_search_restaurants_filters(web: GraphQLClient, admin: MockAdmin) -> None:
    everything = web.operation("SearchRestaurants", LISBON | {"first": 100}).data[
        "nearbyRestaurants"
    ]
    cuisine = everything["edges"][0]["node"]["cuisines"][0]
    admin.reset()
    result = web.operation("SearchRestaurants", LISBON | {"cuisine": cuisine, "openNow": True})

    assert result.errors == []
    nodes = [e["node"] for e in result.data["nearbyRestaurants"]["edges"]]
    assert nodes
    assert all(n["isOpen"] and cuisine in n["cuisines"] for n in nodes)
    assert admin.calls() == {"menu GET /v1/restaurants": 1}


def test_search_rejects_impossible_coordinates(web: GraphQLClient, admin: MockAdmin) -> None:
    result = web.operation("SearchRestaurants", {"lat": 91.0, "lng": 0.0})
    assert result.data == {"nearbyRestaurants": None}
    assert result.codes() == ["BAD_USER_INPUT"]
    assert admin.total_calls() == 0
