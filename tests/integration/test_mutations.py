"""Placing and cancelling orders end to end: exactly one order per checkout, refusals as data."""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
import pytest

from clients import (
    CallContext,
    OrderClient,
    PlaceOrderRequest,
    ServiceTransport,
    TransportConfig,
    UnprocessableError,
)
from schema.common.ordering import refusal_as_user_error
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient

ADDRESS = {
    "line1": "Rua Augusta 1",
    "city": "Lisbon",
    "postcode": "1100-048",
    "location": {"lat": 38.7097, "lng": -9.1365},
}
_keys = itertools.count(1)


def new_key() -> str:
    return f"checkout-test-{next(_keys):06d}"


def orderable(admin: MockAdmin, restaurant: str = "r_1") -> dict[str, Any]:
    items = admin.get("menu", f"/v1/restaurants/{restaurant}/menu")["items"]
    return next(i for i in items if i["available"])


def place_input(item: dict[str, Any], key: str, quantity: int = 2) -> dict[str, Any]:
    return {
        "input": {
            "restaurantId": item["restaurant_id"],
            "idempotencyKey": key,
            "items": [{"menuItemId": item["id"], "quantity": quantity}],
            "deliveryAddress": ADDRESS,
        }
    }


def orders_of(admin: MockAdmin, user: str) -> list[str]:
    return [
        o["id"] for o in admin.get("order", "/v1/orders", customer_id=user, limit="100")["items"]
    ]


def test_place_order_twice_creates_one_order(mobile: GraphQLClient, admin: MockAdmin) -> None:
    item = orderable(admin)
    before = orders_of(admin, "u_7")
    variables = place_input(item, new_key())

    first = mobile.operation("PlaceOrder", variables, user="u_7")
    again = mobile.operation("PlaceOrder", variables, user="u_7")

    assert first.errors == [] and again.errors == []
    placed = first.data["placeOrder"]
    assert placed["userErrors"] == []
    assert placed["order"]["status"] == "PLACED"
    assert again.data["placeOrder"]["order"]["id"] == placed["order"]["id"]
    after = orders_of(admin, "u_7")
    assert len(after) == len(before) + 1
    order = admin.get("order", f"/v1/orders/{placed['order']['id']}")
    assert order["customer_id"] == "u_7"  # from the token, never from the input
    assert order["total"]["amount"] == order["subtotal"]["amount"] + order["delivery_fee"]["amount"]
    assert order["items"][0]["unit_price"]["amount"] == item["price"]["amount"]


@pytest.mark.parametrize(
    "fault",
    [
        {"drop_rate": 1.0, "match": "POST /v1/orders", "times": 1},
        {"error_rate": 1.0, "error_status": 503, "match": "POST /v1/orders", "times": 1},
        {"error_rate": 1.0, "error_status": 502, "match": "POST /v1/orders", "times": 2},
    ],
    ids=["dropped", "503", "502-twice"],
)
def test_place_order_survives_a_failed_first_attempt(
    web: GraphQLClient, admin: MockAdmin, fault: dict[str, Any]
) -> None:
    item = orderable(admin)
    before = orders_of(admin, "u_8")
    admin.fault("order", **fault)

    result = web.operation("PlaceOrder", place_input(item, new_key()), user="u_8")

    assert result.errors == []
    assert result.data["placeOrder"]["order"]["status"] == "PLACED"
    assert len(orders_of(admin, "u_8")) == len(before) + 1
    attempts = admin.calls()["order POST /v1/orders"]
    assert attempts == fault["times"] + 1


def test_place_order_is_not_retried_on_500(mobile: GraphQLClient, admin: MockAdmin) -> None:
    admin.fault("order", error_rate=1.0, error_status=500, match="POST /v1/orders", times=1)
    result = mobile.operation("PlaceOrder", place_input(orderable(admin), new_key()), user="u_9")
    assert result.data == {"placeOrder": None}
    assert result.codes() == ["DOWNSTREAM_UNAVAILABLE"]
    assert admin.calls()["order POST /v1/orders"] == 1


def test_same_key_other_body_is_an_idempotency_conflict(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    item, key = orderable(admin), new_key()
    assert mobile.operation("PlaceOrder", place_input(item, key), user="u_7").data["placeOrder"][
        "order"
    ]
    result = mobile.operation("PlaceOrder", place_input(item, key, quantity=3), user="u_7")
    assert result.data["placeOrder"] == {
        "order": None,
        "userErrors": [
            {
                "field": ["input", "idempotencyKey"],
                "code": "IDEMPOTENCY_CONFLICT",
                "message": result.data["placeOrder"]["userErrors"][0]["message"],
            }
        ],
    }


def test_keys_are_scoped_to_the_customer(mobile: GraphQLClient, admin: MockAdmin) -> None:
    item, key = orderable(admin), new_key()
    mine = mobile.operation("PlaceOrder", place_input(item, key), user="u_7").data["placeOrder"]
    theirs = mobile.operation("PlaceOrder", place_input(item, key, 3), user="u_8").data[
        "placeOrder"
    ]
    assert theirs["userErrors"] == []
    assert theirs["order"]["id"] != mine["order"]["id"]


def refusal(result: Any) -> tuple[str, list[str] | None]:
    payload = result.data["placeOrder"]
    assert payload["order"] is None
    [error] = payload["userErrors"]
    return error["code"], error["field"]


def test_business_refusals_from_the_order_service(mobile: GraphQLClient, admin: MockAdmin) -> None:
    item = orderable(admin, "r_1")
    other = orderable(admin, "r_2")
    cases = {
        "RESTAURANT_NOT_FOUND": (
            place_input(item | {"restaurant_id": "r_999999"}, new_key()),
            ["input", "restaurantId"],
        ),
        "ITEM_NOT_FOUND": (
            place_input(item | {"id": "m_99999999"}, new_key()),
            ["input", "items", "0", "menuItemId"],
        ),
        "ITEM_FROM_OTHER_RESTAURANT": (
            place_input(other | {"restaurant_id": "r_1"}, new_key()),
            ["input", "items", "0", "menuItemId"],
        ),
    }
    for code, (variables, field) in cases.items():
        assert refusal(mobile.operation("PlaceOrder", variables, user="u_7")) == (code, field)


def test_unavailable_item_and_closed_restaurant(mobile: GraphQLClient, admin: MockAdmin) -> None:
    for restaurant in (f"r_{n}" for n in range(1, 60)):
        menu = admin.get("menu", f"/v1/restaurants/{restaurant}/menu")["items"]
        unavailable = [i for i in menu if not i["available"]]
        if unavailable and admin.get("menu", f"/v1/restaurants/{restaurant}")["is_open"]:
            break
    result = mobile.operation("PlaceOrder", place_input(unavailable[0], new_key()), user="u_7")
    assert refusal(result) == ("ITEM_UNAVAILABLE", ["input", "items", "0", "menuItemId"])

    admin.http.patch(
        f"{admin.urls['menu']}/__admin/restaurants/r_3", json={"is_open": False}
    ).raise_for_status()
    try:
        result = mobile.operation(
            "PlaceOrder", place_input(orderable(admin, "r_3"), new_key()), user="u_7"
        )
        assert refusal(result) == ("RESTAURANT_CLOSED", ["input", "restaurantId"])
    finally:
        admin.http.patch(f"{admin.urls['menu']}/__admin/restaurants/r_3", json={"is_open": True})


def test_input_is_validated_before_any_downstream_call(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    item = orderable(admin)
    admin.reset()
    bad_quantity = place_input(item, new_key(), quantity=51)
    assert refusal(mobile.operation("PlaceOrder", bad_quantity, user="u_7")) == (
        "INVALID_QUANTITY",
        ["input", "items", "0", "quantity"],
    )
    empty = place_input(item, new_key())
    empty["input"]["items"] = []
    assert refusal(mobile.operation("PlaceOrder", empty, user="u_7")) == (
        "VALIDATION_ERROR",
        ["input", "items"],
    )
    short_key = place_input(item, "short")
    assert refusal(mobile.operation("PlaceOrder", short_key, user="u_7")) == (
        "VALIDATION_ERROR",
        ["input", "idempotencyKey"],
    )
    bad_id = place_input(item | {"id": "m,1"}, new_key())
    assert refusal(mobile.operation("PlaceOrder", bad_id, user="u_7")) == (
        "VALIDATION_ERROR",
        ["input", "items", "0", "menuItemId"],
    )
    assert admin.total_calls() == 0


async def test_order_service_refusals_map_to_input_paths(admin: MockAdmin) -> None:
    """INVALID_QUANTITY and VALIDATION_ERROR as the order service itself answers them."""
    item = orderable(admin)
    transport = ServiceTransport("order", TransportConfig(base_url=admin.urls["order"]))
    client = OrderClient(transport)
    address = {
        "line1": "x",
        "city": "Lisbon",
        "postcode": "1",
        "location": {"lat": 38.7, "lng": -9.1},
    }
    try:
        for items, expected in [
            (
                [{"menu_item_id": item["id"], "quantity": 0}],
                ("INVALID_QUANTITY", ["input", "items", "0", "quantity"]),
            ),
            ([], ("VALIDATION_ERROR", ["input", "items"])),
        ]:
            request = msgspec.convert(
                {
                    "customer_id": "u_7",
                    "restaurant_id": "r_1",
                    "items": items,
                    "delivery_address": address,
                },
                PlaceOrderRequest,
            )
            with pytest.raises(UnprocessableError) as refused:
                await client.place_order(request, new_key(), CallContext(client="mobile"))
            error = refusal_as_user_error(refused.value)
            assert (error.code, error.field) == expected
    finally:
        await transport.aclose()


def test_place_order_needs_a_token(mobile: GraphQLClient, admin: MockAdmin) -> None:
    result = mobile.operation("PlaceOrder", place_input(orderable(admin), new_key()))
    assert result.data == {"placeOrder": None}
    assert result.codes() == ["UNAUTHENTICATED"]


def test_cancel_order_rules(web: GraphQLClient, admin: MockAdmin) -> None:
    placed = web.operation("PlaceOrder", place_input(orderable(admin), new_key()), user="u_7")
    order_id = placed.data["placeOrder"]["order"]["id"]

    forbidden = web.operation("CancelOrder", {"id": order_id, "reason": "x"}, user="u_8")
    assert forbidden.data == {"cancelOrder": None}
    assert forbidden.codes() == ["FORBIDDEN"]

    cancelled = web.operation(
        "CancelOrder", {"id": order_id, "reason": "changed my mind"}, user="u_7"
    )
    assert cancelled.data["cancelOrder"] == {
        "order": {"id": order_id, "status": "CANCELLED"},
        "userErrors": [],
    }

    again = web.operation("CancelOrder", {"id": order_id}, user="u_7")
    payload = again.data["cancelOrder"]
    assert payload["order"] == {"id": order_id, "status": "CANCELLED"}
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("NOT_CANCELLABLE", ["id"])]

    unknown = web.operation("CancelOrder", {"id": "o_99999999"}, user="u_7")
    assert unknown.data["cancelOrder"]["order"] is None
    assert [e["code"] for e in unknown.data["cancelOrder"]["userErrors"]] == ["ORDER_NOT_FOUND"]

    anonymous = web.operation("CancelOrder", {"id": order_id})
    assert anonymous.codes() == ["UNAUTHENTICATED"]


def test_mutations_are_refused_over_get(bff: Any) -> None:
    import httpx

    document = 'mutation { cancelOrder(id: "o_1") { order { id } } }'
    response = httpx.get(f"{bff.url}/mobile/graphql", params={"query": document})
    assert response.status_code in (400, 405)
