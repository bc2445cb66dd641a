"""The order client: list filters, placing with an idempotency key, cancelling with a reason."""

from __future__ import annotations

import orjson
import pytest
import respx

from clients import (
    Address,
    CallContext,
    LatLng,
    OrderClient,
    OrderLineRequest,
    OrderStatus,
    PlaceOrderRequest,
)
from tests.clients.payloads import ORDER_URL, order

CTX = CallContext(client="web", user_id="u_1")


@pytest.fixture
def listing(router: respx.MockRouter) -> respx.Route:
    return router.get(f"{ORDER_URL}/v1/orders").respond(
        200, json={"items": [order("o_2"), order("o_1")], "next_cursor": None}
    )


async def test_customer_orders_sends_customer_and_limit(
    listing: respx.Route, orders: OrderClient
) -> None:
    page = await orders.customer_orders("u_1", CTX, limit=10)
    assert sorted(listing.calls.last.request.url.params.multi_items()) == [
        ("customer_id", "u_1"),
        ("limit", "10"),
    ]
    assert [o.id for o in page.items] == ["o_2", "o_1"]


async def test_customer_orders_sends_statuses_and_cursor(
    listing: respx.Route, orders: OrderClient
) -> None:
    await orders.customer_orders(
        "u_1",
        CTX,
        limit=10,
        cursor="next",
        statuses=[OrderStatus.PLACED, OrderStatus.PREPARING],
    )
    assert sorted(listing.calls.last.request.url.params.multi_items()) == [
        ("cursor", "next"),
        ("customer_id", "u_1"),
        ("limit", "10"),
        ("status", "PLACED,PREPARING"),
    ]


def _request() -> PlaceOrderRequest:
    return PlaceOrderRequest(
        customer_id="u_1",
        restaurant_id="r_1",
        items=[
            OrderLineRequest(menu_item_id="m_1", quantity=2, notes="no chilli"),
            OrderLineRequest(menu_item_id="m_2", quantity=1),
        ],
        delivery_address=Address(
            line1="1 Rua Augusta",
            city="Lisbon",
            postcode="1100-048",
            location=LatLng(lat=38.71, lng=-9.14),
        ),
    )


async def test_place_order_sends_key_and_body(
    router: respx.MockRouter, orders: OrderClient
) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders").respond(201, json=order("o_9"))

    placed = await orders.place_order(_request(), "idem-key-0001", CTX)

    assert placed.id == "o_9"
    assert placed.total.amount == 1979
    sent = route.calls.last.request
    assert sent.headers["Idempotency-Key"] == "idem-key-0001"
    assert sent.headers["Content-Type"] == "application/json"
    assert not sent.url.params
    body = orjson.loads(sent.content)
    assert body["customer_id"] == "u_1"
    assert body["restaurant_id"] == "r_1"
    assert [(i["menu_item_id"], i["quantity"]) for i in body["items"]] == [("m_1", 2), ("m_2", 1)]
    assert body["items"][0]["notes"] == "no chilli"
    assert body["items"][1].get("notes") is None
    assert body["delivery_address"] == {
        "line1": "1 Rua Augusta",
        "city": "Lisbon",
        "postcode": "1100-048",
        "location": {"lat": 38.71, "lng": -9.14},
    }


async def test_cancel_order_posts_the_reason(router: respx.MockRouter, orders: OrderClient) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders/o_1/cancel").respond(
        200, json=order("o_1", status="CANCELLED")
    )

    cancelled = await orders.cancel_order("o_1", "ordered twice", CTX)

    assert cancelled.status is OrderStatus.CANCELLED
    sent = route.calls.last.request
    assert orjson.loads(sent.content) == {"reason": "ordered twice"}
    assert sent.headers["Content-Type"] == "application/json"
    assert "Idempotency-Key" not in sent.headers


async def test_single_order(router: respx.MockRouter, orders: OrderClient) -> None:
    router.get(f"{ORDER_URL}/v1/orders/o_1").respond(200, json=order("o_1", status="ACCEPTED"))
    found = await orders.order("o_1", CTX)
    assert (found.id, found.status) == ("o_1", OrderStatus.ACCEPTED)
    assert found.status_history[0].status is OrderStatus.ACCEPTED
