"""Every mobile query operation, end to end: its data, its downstream calls and its auth rules."""

from __future__ import annotations

import math
from typing import Any

from schema.common.geo import distance_m
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient

LISBON = {"lat": 38.7223, "lng": -9.1393}


def active_order_with_courier(admin: MockAdmin, user: str = "u_1") -> dict[str, Any]:
    orders = admin.get(
        "order",
        "/v1/orders",
        customer_id=user,
        status="ACCEPTED,PREPARING,READY_FOR_PICKUP,PICKED_UP",
        limit="100",
    )["items"]
    ids = ",".join(o["id"] for o in orders)
    deliveries = admin.get("courier", "/v1/deliveries", order_ids=ids)["items"]
    with_courier = [d for d in deliveries if d["courier_id"] and d["status"] != "DELIVERED"]
    assert with_courier, "the seed data promises active orders with a courier"
    order_id = with_courier[0]["order_id"]
    order: dict[str, Any] = next(o for o in orders if o["id"] == order_id)
    return order | {"delivery": with_courier[0]}


def test_my_orders_costs_five_calls_for_twenty_orders(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    result = mobile.operation("MyOrders", {"first": 20}, user="u_1")

    assert result.errors == []
    edges = result.data["me"]["orders"]["edges"]
    assert len(edges) == 20
    assert admin.calls() == {
        "order GET /v1/orders": 1,
        "menu GET /v1/restaurants": 1,
        "menu GET /v1/menu-items": 1,
        "courier GET /v1/deliveries": 1,
        "courier GET /v1/couriers": 1,
    }


def test_my_orders_returns_the_customers_orders_newest_first(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    expected = admin.get("order", "/v1/orders", customer_id="u_1", limit="20")["items"]
    result = mobile.operation("MyOrders", {"first": 20}, user="u_1")

    nodes = [edge["node"] for edge in result.data["me"]["orders"]["edges"]]
    assert [n["id"] for n in nodes] == [o["id"] for o in expected]
    first, order = nodes[0], expected[0]
    assert first["status"] == order["status"]
    assert first["restaurant"]["id"] == order["restaurant_id"]
    assert [i["quantity"] for i in first["items"]] == [i["quantity"] for i in order["items"]]
    assert [i["menuItem"]["id"] for i in first["items"]] == [
        i["menu_item_id"] for i in order["items"]
    ]
    assert first["total"]["formatted"].startswith("€")
    for node in nodes:
        url = node["restaurant"]["thumbnailUrl"]
        assert url is None or url.endswith("w=256")


def test_my_orders_pages_follow_every_edge_cursor(mobile: GraphQLClient, admin: MockAdmin) -> None:
    everything = mobile.operation("MyOrders", {"first": 30}, user="u_1").data["me"]["orders"]
    all_ids = [e["node"]["id"] for e in everything["edges"]]

    first_page = mobile.operation("MyOrders", {"first": 10}, user="u_1").data["me"]["orders"]
    assert first_page["pageInfo"]["hasNextPage"] is True
    second = mobile.operation(
        "MyOrders", {"first": 10, "after": first_page["pageInfo"]["endCursor"]}, user="u_1"
    ).data["me"]["orders"]
    assert [e["node"]["id"] for e in second["edges"]] == all_ids[10:20]

    # A cursor from the middle of a page resumes right after its edge.
    doc = "query($after: String) { me { orders(first: 5, after: $after) { edges { cursor node { id } } } } }"
    page = mobile.query(doc, {"after": None}, user="u_1").data["me"]["orders"]["edges"]
    resumed = mobile.query(doc, {"after": page[2]["cursor"]}, user="u_1").data["me"]["orders"][
        "edges"
    ]
    assert [e["node"]["id"] for e in resumed] == all_ids[3:8]


def test_my_orders_first_out_of_bounds_is_bad_user_input(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    for first in (0, 51, -1):
        result = mobile.operation("MyOrders", {"first": first}, user="u_1")
        assert result.data["me"]["orders"] is None
        assert result.codes() == ["BAD_USER_INPUT"]
    assert admin.total_calls() == 0


def test_my_orders_with_a_garbage_cursor_is_bad_user_input(mobile: GraphQLClient) -> None:
    result = mobile.operation("MyOrders", {"first": 5, "after": "not-a-cursor"}, user="u_1")
    assert result.data["me"]["orders"] is None
    assert result.codes() == ["BAD_USER_INPUT"]


def test_my_orders_without_token_is_unauthenticated(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    result = mobile.operation("MyOrders", {"first": 5})
    assert result.data == {"me": None}
    assert result.codes() == ["UNAUTHENTICATED"]
    assert admin.total_calls() == 0


def test_home_feed_with_token(mobile: GraphQLClient, admin: MockAdmin) -> None:
    result = mobile.operation("HomeFeed", LISBON | {"first": 10}, user="u_1")

    assert result.errors == [], result.errors
    active = result.data["me"]["activeOrders"]
    assert len(active) >= 3
    assert all(o["status"] not in ("DELIVERED", "CANCELLED") for o in active)
    assert any(o["eta"] is not None for o in active), active
    assert all(o["eta"] is None or o["eta"].endswith("Z") for o in active)
    edges = result.data["nearbyRestaurants"]["edges"]
    assert len(edges) == 10
    distances = [e["node"]["distanceMeters"] for e in edges]
    assert distances == sorted(distances)
    # Two levels: the orders list beside the search, then restaurants beside deliveries.
    assert admin.calls() == {
        "order GET /v1/orders": 1,
        "menu GET /v1/restaurants": 2,
        "courier GET /v1/deliveries": 1,
    }


def test_home_feed_distance_and_eta_follow_their_definitions(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    result = mobile.operation("HomeFeed", LISBON | {"first": 5})
    for edge in result.data["nearbyRestaurants"]["edges"]:
        node = edge["node"]
        restaurant = admin.get("menu", f"/v1/restaurants/{node['id']}")
        location = restaurant["location"]
        expected = distance_m(LISBON["lat"], LISBON["lng"], location["lat"], location["lng"])
        assert node["distanceMeters"] == expected
        assert node["deliveryEtaMinutes"] == restaurant["prep_time_minutes"] + math.ceil(
            expected / 250
        )


def test_home_feed_without_token_still_lists_restaurants(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    result = mobile.operation("HomeFeed", LISBON)

    assert result.data["me"] is None
    assert result.codes() == ["UNAUTHENTICATED"]
    assert result.errors[0]["path"] == ["me"]
    assert len(result.data["nearbyRestaurants"]["edges"]) == 10  # the operation's default
    assert admin.calls() == {"menu GET /v1/restaurants": 1}


def test_home_feed_pages_do_not_overlap(mobile: GraphQLClient) -> None:
    first = mobile.operation("HomeFeed", LISBON | {"first": 4}).data["nearbyRestaurants"]
    after = first["pageInfo"]["endCursor"]
    second = mobile.operation("HomeFeed", LISBON | {"first": 4, "after": after}).data[
        "nearbyRestaurants"
    ]
    both = mobile.operation("HomeFeed", LISBON | {"first": 8}).data["nearbyRestaurants"]
    ids = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert ids == [e["node"]["id"] for e in both["edges"]]


def test_restaurant_menu_groups_sections_in_menu_order(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    menu = admin.get("menu", "/v1/restaurants/r_1/menu")["items"]
    admin.reset()
    result = mobile.operation("RestaurantMenu", {"id": "r_1"})

    assert result.errors == []
    restaurant = result.data["restaurant"]
    sections: list[str] = []
    for item in menu:
        if item["section"] not in sections:
            sections.append(item["section"])
    assert [s["section"] for s in restaurant["menu"]] == sections
    flattened = [i["id"] for s in restaurant["menu"] for i in s["items"]]
    assert flattened == [
        item["id"] for section in sections for item in menu if item["section"] == section
    ]
    first = restaurant["menu"][0]["items"][0]
    source = next(i for i in menu if i["id"] == first["id"])
    assert first["price"]["amount"] == source["price"]["amount"]
    # One level: the restaurant and its menu are fetched side by side.
    assert admin.calls() == {"menu GET /v1/restaurants": 1, "menu GET /v1/restaurants/{id}/menu": 1}


def test_restaurant_menu_money_follows_accept_language(mobile: GraphQLClient) -> None:
    result = mobile.operation("RestaurantMenu", {"id": "r_1"}, headers={"Accept-Language": "pt-PT"})
    price = result.data["restaurant"]["menu"][0]["items"][0]["price"]
    assert price["formatted"].endswith("\xa0€")
    assert "," in price["formatted"]


def test_unknown_restaurant_is_not_found(mobile: GraphQLClient) -> None:
    result = mobile.operation("RestaurantMenu", {"id": "r_999999"})
    assert result.data == {"restaurant": None}
    assert result.codes() == ["NOT_FOUND"]


def test_impossible_ids_never_reach_downstream(mobile: GraphQLClient, admin: MockAdmin) -> None:
    for bad in ("r,1", "r 1", "r/1", "r?1", "r#1", "r%2C1", "r\x01", "", "r" * 65):
        result = mobile.operation("RestaurantMenu", {"id": bad})
        assert result.data == {"restaurant": None}, bad
        assert result.codes() == ["BAD_USER_INPUT"], bad
    assert admin.total_calls() == 0


def test_order_tracking_shows_the_couriers_phone_to_the_customer(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    order = active_order_with_courier(admin)
    admin.reset()
    result = mobile.operation("OrderTracking", {"id": order["id"]}, user="u_1")

    assert result.errors == []
    tracked = result.data["order"]
    assert tracked["id"] == order["id"]
    assert tracked["delivery"]["status"] == order["delivery"]["status"]
    assert tracked["delivery"]["courier"]["phone"]
    # Order and delivery side by side, then restaurant and courier: two levels, four calls.
    assert admin.calls() == {
        "order GET /v1/orders": 1,
        "courier GET /v1/deliveries": 1,
        "menu GET /v1/restaurants": 1,
        "courier GET /v1/couriers": 1,
    }


def test_order_of_another_customer_is_forbidden(mobile: GraphQLClient, admin: MockAdmin) -> None:
    order = active_order_with_courier(admin)
    result = mobile.operation("OrderTracking", {"id": order["id"]}, user="u_2")
    assert result.data == {"order": None}
    assert result.codes() == ["FORBIDDEN"]
    assert order["customer_id"] not in str(result.body)


def test_order_without_token_or_unknown(mobile: GraphQLClient, admin: MockAdmin) -> None:
    anonymous = mobile.operation("OrderTracking", {"id": "o_1"})
    assert anonymous.data == {"order": None}
    assert anonymous.codes() == ["UNAUTHENTICATED"]
    assert admin.total_calls() == 0
    unknown = mobile.operation("OrderTracking", {"id": "o_99999999"}, user="u_1")
    assert unknown.data == {"order": None}
    assert unknown.codes() == ["NOT_FOUND"]


def test_expired_or_forged_tokens_are_anonymous(mobile: GraphQLClient) -> None:
    import time

    import jwt

    expired = jwt.encode({"sub": "u_1", "exp": int(time.time()) - 60}, "dev-secret-change-me")
    forged = jwt.encode({"sub": "u_1", "exp": int(time.time()) + 60}, "another-secret-entirely")
    for token in (expired, forged, "garbage"):
        result = mobile.operation(
            "MyOrders", {"first": 1}, headers={"Authorization": f"Bearer {token}"}
        )
        assert result.data == {"me": None}
        assert result.codes() == ["UNAUTHENTICATED"]
