"""The order service: placing orders idempotently, refusals, customer lists, cancelling."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.support import (
    Shop,
    assert_problem,
    new_customer,
    new_key,
    open_shops,
    order_body,
    place,
)

ORDER_KEYS = {
    "id", "customer_id", "restaurant_id", "status", "items", "subtotal", "delivery_fee", "total",
    "delivery_address", "status_history", "created_at", "updated_at",
}  # fmt: skip


@pytest.fixture(scope="module")
def shops(http: httpx.Client, menu_url: str) -> list[Shop]:
    return open_shops(http, menu_url, count=2)


@pytest.fixture(scope="module")
def shop(shops: list[Shop]) -> Shop:
    return shops[0]


def one_line(shop: Shop, quantity: int = 2, **extra: Any) -> dict[str, Any]:
    return {"menu_item_id": shop.available[0]["id"], "quantity": quantity, **extra}


def test_place_order_prices_from_the_menu(http: httpx.Client, order_url: str, shop: Shop) -> None:
    customer = new_customer()
    first, second = shop.available[0], shop.available[-1]
    lines = [
        {"menu_item_id": first["id"], "quantity": 2, "notes": "no chilli"},
        {"menu_item_id": second["id"], "quantity": 1},
    ]
    response = place(http, order_url, order_body(customer, shop.id, lines))
    assert response.status_code == 201, response.text
    order = response.json()
    assert order.keys() >= ORDER_KEYS
    assert order["id"]
    assert order["customer_id"] == customer
    assert order["restaurant_id"] == shop.id
    assert order["status"] == "PLACED"
    assert [s["status"] for s in order["status_history"]] == ["PLACED"]
    assert order["created_at"].endswith("Z")
    unit = first["price"]["amount"]
    placed = order["items"][0]
    assert placed["menu_item_id"] == first["id"]
    assert placed["name"] == first["name"]
    assert placed["unit_price"] == first["price"]
    assert placed["line_total"]["amount"] == 2 * unit
    assert placed["notes"] == "no chilli"
    assert order["items"][1]["notes"] is None
    subtotal = 2 * unit + second["price"]["amount"]
    assert order["subtotal"]["amount"] == subtotal
    assert order["total"]["amount"] == subtotal + order["delivery_fee"]["amount"]
    assert order["total"]["currency"] == "EUR"
    assert http.get(f"{order_url}/v1/orders/{order['id']}").json() == order


def test_order_headers_are_private_no_store(http: httpx.Client, order_url: str, shop: Shop) -> None:
    order = place(http, order_url, order_body(new_customer(), shop.id, [one_line(shop)])).json()
    for url in (
        f"{order_url}/v1/orders/{order['id']}",
        f"{order_url}/v1/orders?ids={order['id']}",
        f"{order_url}/v1/orders?customer_id={order['customer_id']}",
    ):
        assert http.get(url).headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize("key", [None, "short", "k" * 129])
def test_idempotency_key_missing_or_bad_length_is_400(
    http: httpx.Client, order_url: str, shop: Shop, key: str | None
) -> None:
    customer = new_customer()
    headers = {} if key is None else {"Idempotency-Key": key}
    body = order_body(customer, shop.id, [one_line(shop)])
    response = http.post(f"{order_url}/v1/orders", json=body, headers=headers)
    assert_problem(response, 400, "VALIDATION_ERROR")
    assert (
        http.get(f"{order_url}/v1/orders", params={"customer_id": customer}).json()["items"] == []
    )


def test_idempotency_key_is_checked_before_the_body(http: httpx.Client, order_url: str) -> None:
    response = http.post(f"{order_url}/v1/orders", json={"items": []})
    assert_problem(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("length", [8, 128])
def test_idempotency_key_length_bounds_are_accepted(
    http: httpx.Client, order_url: str, shop: Shop, length: int
) -> None:
    key = new_key().replace("-", "")[-8:].rjust(length, "k")
    body = order_body(new_customer(), shop.id, [one_line(shop)])
    assert place(http, order_url, body, key).status_code == 201


def test_repeat_with_same_key_and_body_returns_the_same_order(
    http: httpx.Client, order_url: str, shop: Shop
) -> None:
    customer = new_customer()
    key = new_key()
    body = order_body(customer, shop.id, [one_line(shop)])
    first = place(http, order_url, body, key)
    assert first.status_code == 201
    # Same JSON value: other key order, and `notes` given as null instead of absent.
    reordered = dict(reversed(list(body.items())))
    reordered["items"] = [{"notes": None, **dict(reversed(list(body["items"][0].items())))}]
    second = place(http, order_url, reordered, key)
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    listed = http.get(f"{order_url}/v1/orders", params={"customer_id": customer}).json()
    assert [o["id"] for o in listed["items"]] == [first.json()["id"]]


def test_same_key_with_another_body_is_409(http: httpx.Client, order_url: str, shop: Shop) -> None:
    key = new_key()
    body = order_body(new_customer(), shop.id, [one_line(shop, quantity=1)])
    assert place(http, order_url, body, key).status_code == 201
    changed = order_body(body["customer_id"], shop.id, [one_line(shop, quantity=3)])
    assert_problem(place(http, order_url, changed, key), 409, "IDEMPOTENCY_CONFLICT")


def test_keys_are_global_not_per_customer(http: httpx.Client, order_url: str, shop: Shop) -> None:
    key = new_key()
    first = order_body(new_customer(), shop.id, [one_line(shop)])
    assert place(http, order_url, first, key).status_code == 201
    other = order_body(new_customer(), shop.id, [one_line(shop)])
    assert_problem(place(http, order_url, other, key), 409, "IDEMPOTENCY_CONFLICT")


def test_a_refused_request_does_not_use_up_its_key(
    http: httpx.Client, order_url: str, shop: Shop
) -> None:
    key = new_key()
    customer = new_customer()
    refused = order_body(customer, shop.id, [one_line(shop, quantity=0)])
    assert_problem(place(http, order_url, refused, key), 422, "INVALID_QUANTITY")
    good = order_body(customer, shop.id, [one_line(shop, quantity=1)])
    assert place(http, order_url, good, key).status_code == 201


@pytest.mark.parametrize("quantity", [0, -1, 51, 1000])
def test_quantity_outside_1_to_50_is_invalid_quantity(
    http: httpx.Client, order_url: str, shop: Shop, quantity: int
) -> None:
    body = order_body(new_customer(), shop.id, [one_line(shop), one_line(shop, quantity)])
    assert_problem(place(http, order_url, body), 422, "INVALID_QUANTITY", "items[1].quantity")


@pytest.mark.parametrize("quantity", [1, 50])
def test_quantity_bounds_are_accepted(
    http: httpx.Client, order_url: str, shop: Shop, quantity: int
) -> None:
    body = order_body(new_customer(), shop.id, [one_line(shop, quantity)])
    assert place(http, order_url, body).status_code == 201


def test_unknown_restaurant(http: httpx.Client, order_url: str, shop: Shop) -> None:
    body = order_body(new_customer(), "zz_no_restaurant", [one_line(shop)])
    assert_problem(place(http, order_url, body), 422, "RESTAURANT_NOT_FOUND", "restaurant_id")


def test_closed_restaurant(http: httpx.Client, menu_url: str, order_url: str) -> None:
    listed = http.get(
        f"{menu_url}/v1/restaurants",
        params={"near": "38.7223,-9.1393", "limit": 100, "radius_m": 20000},
    ).json()["items"]
    closed = [r for r in listed if not r["is_open"]]
    if not closed:
        pytest.skip("no closed restaurant near Lisbon to order from")
    menu = http.get(f"{menu_url}/v1/restaurants/{closed[0]['id']}/menu").json()["items"]
    lines = [{"menu_item_id": menu[0]["id"], "quantity": 1}]
    body = order_body(new_customer(), closed[0]["id"], lines)
    assert_problem(place(http, order_url, body), 422, "RESTAURANT_CLOSED")


def test_unknown_item(http: httpx.Client, order_url: str, shop: Shop) -> None:
    lines = [one_line(shop), {"menu_item_id": "zz_no_item", "quantity": 1}]
    body = order_body(new_customer(), shop.id, lines)
    assert_problem(place(http, order_url, body), 422, "ITEM_NOT_FOUND", "items[1].menu_item_id")


def test_item_from_other_restaurant(http: httpx.Client, order_url: str, shops: list[Shop]) -> None:
    body = order_body(new_customer(), shops[0].id, [one_line(shops[1])])
    problem = assert_problem(place(http, order_url, body), 422, "ITEM_FROM_OTHER_RESTAURANT")
    assert problem["field"] == "items[0].menu_item_id"


def test_unavailable_item(http: httpx.Client, menu_url: str, order_url: str) -> None:
    for shop in open_shops(http, menu_url, count=5):
        if shop.unavailable:
            lines = [{"menu_item_id": shop.unavailable[0]["id"], "quantity": 1}]
            body = order_body(new_customer(), shop.id, lines)
            problem = assert_problem(place(http, order_url, body), 422, "ITEM_UNAVAILABLE")
            assert problem["field"] == "items[0].menu_item_id"
            return
    pytest.skip("no unavailable menu item among the first open restaurants")


def test_empty_items_is_validation_error(http: httpx.Client, order_url: str, shop: Shop) -> None:
    body = order_body(new_customer(), shop.id, [])
    assert_problem(place(http, order_url, body), 422, "VALIDATION_ERROR", "items")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("delivery_address"),
        lambda b: b.pop("restaurant_id"),
        lambda b: b.update(items="m_1"),
        lambda b: b.update(items=[{"menu_item_id": 5, "quantity": 1}]),
        lambda b: b["items"][0].update(quantity="two"),
        lambda b: b["items"][0].update(quantity=None),
        lambda b: b["items"][0].pop("menu_item_id"),
        lambda b: b["delivery_address"].update(location="here"),
        lambda b: b["delivery_address"]["location"].update(lat="north"),
    ],
)
def test_wrong_shapes_are_4xx_problems(
    http: httpx.Client, order_url: str, shop: Shop, mutate: Any
) -> None:
    customer = new_customer()
    body = order_body(customer, shop.id, [one_line(shop)])
    mutate(body)
    response = place(http, order_url, body)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (
        http.get(f"{order_url}/v1/orders", params={"customer_id": customer}).json()["items"] == []
    )


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"order"', b"", b"null"])
def test_malformed_bodies_are_4xx_problems(http: httpx.Client, order_url: str, raw: bytes) -> None:
    response = http.post(
        f"{order_url}/v1/orders",
        content=raw,
        headers={"Idempotency-Key": new_key(), "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_unknown_fields_are_ignored(http: httpx.Client, order_url: str, shop: Shop) -> None:
    body = order_body(new_customer(), shop.id, [one_line(shop, gift_wrap=True)])
    body["coupon"] = "NONE"
    assert place(http, order_url, body).status_code == 201


@pytest.fixture(scope="module")
def history(http: httpx.Client, order_url: str, shop: Shop) -> list[dict[str, Any]]:
    """Five orders of a fresh customer, newest first; the newest one cancelled."""
    customer = new_customer()
    placed = []
    for _ in range(5):
        response = place(http, order_url, order_body(customer, shop.id, [one_line(shop)]))
        assert response.status_code == 201
        placed.append(response.json())
    cancel = http.post(f"{order_url}/v1/orders/{placed[-1]['id']}/cancel", json={"reason": "x"})
    assert cancel.status_code == 200
    placed[-1] = cancel.json()
    return list(reversed(placed))


def test_customer_orders_newest_first(
    http: httpx.Client, order_url: str, history: list[dict[str, Any]]
) -> None:
    customer = history[0]["customer_id"]
    page = http.get(f"{order_url}/v1/orders", params={"customer_id": customer}).json()
    assert [o["id"] for o in page["items"]] == [o["id"] for o in history]
    assert page["next_cursor"] is None


def test_customer_orders_paginate(
    http: httpx.Client, order_url: str, history: list[dict[str, Any]]
) -> None:
    customer = history[0]["customer_id"]
    url = f"{order_url}/v1/orders"
    first = http.get(url, params={"customer_id": customer, "limit": 2}).json()
    assert [o["id"] for o in first["items"]] == [o["id"] for o in history[:2]]
    cursor = first["next_cursor"]
    assert cursor is not None
    second = http.get(url, params={"customer_id": customer, "limit": 2, "cursor": cursor}).json()
    assert [o["id"] for o in second["items"]] == [o["id"] for o in history[2:4]]
    # The same cursor again, with another limit.
    rest = http.get(url, params={"customer_id": customer, "limit": 10, "cursor": cursor}).json()
    assert [o["id"] for o in rest["items"]] == [o["id"] for o in history[2:]]
    assert rest["next_cursor"] is None
    exact = http.get(url, params={"customer_id": customer, "limit": 3, "cursor": cursor}).json()
    assert exact["next_cursor"] is None


def test_status_filter(http: httpx.Client, order_url: str, history: list[dict[str, Any]]) -> None:
    customer = history[0]["customer_id"]
    url = f"{order_url}/v1/orders"
    cancelled = http.get(url, params={"customer_id": customer, "status": "CANCELLED"}).json()
    assert [o["id"] for o in cancelled["items"]] == [history[0]["id"]]
    both = http.get(url, params={"customer_id": customer, "status": "PLACED,CANCELLED"}).json()
    assert len(both["items"]) == 5
    placed = http.get(url, params={"customer_id": customer, "status": "PLACED", "limit": 2}).json()
    assert [o["id"] for o in placed["items"]] == [o["id"] for o in history[1:3]]
    after = http.get(
        url,
        params={"customer_id": customer, "status": "PLACED", "cursor": placed["next_cursor"]},
    ).json()
    assert [o["id"] for o in after["items"]] == [o["id"] for o in history[3:]]


@pytest.mark.parametrize("status", ["LOST", "placed", "PLACED,LOST"])
def test_unknown_status_is_400(http: httpx.Client, order_url: str, status: str) -> None:
    response = http.get(f"{order_url}/v1/orders", params={"customer_id": "u_1", "status": status})
    assert_problem(response, 400)


def test_batch_orders(http: httpx.Client, order_url: str, history: list[dict[str, Any]]) -> None:
    ids = [history[0]["id"], history[1]["id"], history[0]["id"], "zz_none"]
    response = http.get(f"{order_url}/v1/orders", params={"ids": ",".join(ids)})
    assert response.status_code == 200
    assert {o["id"] for o in response.json()["items"]} == set(ids[:2])


def test_cancel(http: httpx.Client, order_url: str, shop: Shop) -> None:
    order = place(http, order_url, order_body(new_customer(), shop.id, [one_line(shop)])).json()
    response = http.post(f"{order_url}/v1/orders/{order['id']}/cancel", json={"reason": "late"})
    assert response.status_code == 200
    cancelled = response.json()
    assert cancelled["status"] == "CANCELLED"
    assert [s["status"] for s in cancelled["status_history"]] == ["PLACED", "CANCELLED"]
    assert http.get(f"{order_url}/v1/orders/{order['id']}").json()["status"] == "CANCELLED"
    again = http.post(f"{order_url}/v1/orders/{order['id']}/cancel", json={"reason": "late"})
    assert_problem(again, 409, "NOT_CANCELLABLE")


def test_cancel_unknown_order_is_404(http: httpx.Client, order_url: str) -> None:
    response = http.post(f"{order_url}/v1/orders/zz_none/cancel", json={"reason": "x"})
    assert_problem(response, 404)


def test_delivered_orders_are_not_cancellable(http: httpx.Client, order_url: str) -> None:
    for customer in ("u_1", "u_2", "u_3"):
        page = http.get(
            f"{order_url}/v1/orders", params={"customer_id": customer, "status": "DELIVERED"}
        ).json()
        if page["items"]:
            order_id = page["items"][0]["id"]
            response = http.post(f"{order_url}/v1/orders/{order_id}/cancel", json={"reason": "x"})
            assert_problem(response, 409, "NOT_CANCELLABLE")
            return
    pytest.skip("no delivered order found for u_1..u_3")


def test_status_history_only_moves_forward(http: httpx.Client, order_url: str) -> None:
    flow = ["PLACED", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"]
    page = http.get(f"{order_url}/v1/orders", params={"customer_id": "u_1", "limit": 100}).json()
    for order in page["items"]:
        statuses = [s["status"] for s in order["status_history"]]
        assert statuses[-1] == order["status"]
        steps = [s for s in statuses if s != "CANCELLED"]
        assert steps == flow[: len(steps)], statuses
        times = [s["at"] for s in order["status_history"]]
        assert times == sorted(times)
