"""Every downstream call carries the request id, trace context, client and, if any, the user."""

from __future__ import annotations

import re

import httpx
import pytest
import respx

from clients import (
    Address,
    CallContext,
    CourierClient,
    MenuClient,
    OrderClient,
    OrderLineRequest,
    PlaceOrderRequest,
)
from tests.clients.payloads import COURIER_URL, MENU_URL, ORDER_URL, delivery, order, restaurant

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]")


def _mock_all(router: respx.MockRouter) -> None:
    router.get(f"{MENU_URL}/v1/restaurants").respond(200, json={"items": [restaurant("r_1")]})
    router.get(f"{MENU_URL}/v1/restaurants/r_1").respond(200, json=restaurant("r_1"))
    router.post(f"{ORDER_URL}/v1/orders").respond(201, json=order("o_1"))
    router.post(f"{ORDER_URL}/v1/orders/o_1/cancel").respond(200, json=order("o_1"))
    router.get(f"{COURIER_URL}/v1/deliveries").respond(
        200, json={"items": [delivery("d_1", "o_1")]}
    )


async def _call_everything(
    menu: MenuClient, orders: OrderClient, couriers: CourierClient, ctx: CallContext
) -> None:
    await menu.restaurants(["r_1"], ctx)
    await menu.restaurant("r_1", ctx)
    request = PlaceOrderRequest(
        customer_id="u_1",
        restaurant_id="r_1",
        items=[OrderLineRequest(menu_item_id="m_1", quantity=1)],
        delivery_address=Address(line1="1 Rua", city="Lisbon", postcode="1100-001"),
    )
    await orders.place_order(request, "key-12345678", ctx)
    await orders.cancel_order("o_1", "late", ctx)
    await couriers.deliveries_for_orders(["o_1"], ctx)


def _sent(router: respx.MockRouter) -> list[httpx.Request]:
    return [call.request for call in router.calls]


async def test_every_call_sends_context_headers(
    router: respx.MockRouter, menu: MenuClient, orders: OrderClient, couriers: CourierClient
) -> None:
    _mock_all(router)
    ctx = CallContext(client="mobile", request_id="req-42", trace_id=TRACE_ID, user_id="u_1")
    await _call_everything(menu, orders, couriers, ctx)

    requests = _sent(router)
    assert len(requests) == 5
    span_ids = set()
    for request in requests:
        assert request.headers["X-Request-Id"] == "req-42"
        assert request.headers["X-Client"] == "mobile"
        assert request.headers["X-User-Id"] == "u_1"
        match = TRACEPARENT.fullmatch(request.headers["traceparent"])
        assert match is not None, request.headers["traceparent"]
        assert match.group(1) == TRACE_ID
        assert match.group(2) != "0" * 16
        span_ids.add(match.group(2))
    # Each call is its own span of the same trace.
    assert len(span_ids) == len(requests)


async def test_no_user_header_without_a_user(
    router: respx.MockRouter, menu: MenuClient, orders: OrderClient, couriers: CourierClient
) -> None:
    _mock_all(router)
    await _call_everything(menu, orders, couriers, CallContext(client="web"))
    requests = _sent(router)
    assert len(requests) == 5
    assert all("X-User-Id" not in request.headers for request in requests)
    assert all(request.headers["X-Client"] == "web" for request in requests)


async def test_generated_ids_are_valid_and_stable_per_context(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    router.get(f"{MENU_URL}/v1/restaurants/r_1").respond(200, json=restaurant("r_1"))
    ctx = CallContext(client="web")
    await menu.restaurant("r_1", ctx)
    await menu.restaurant("r_1", ctx)
    first, second = _sent(router)
    assert first.headers["X-Request-Id"] == second.headers["X-Request-Id"] == ctx.request_id
    assert re.fullmatch(r"[0-9a-f]{32}", ctx.trace_id)
    for request in (first, second):
        match = TRACEPARENT.fullmatch(request.headers["traceparent"])
        assert match is not None and match.group(1) == ctx.trace_id


@pytest.mark.parametrize("user_id", [None, "u_9"])
def test_headers_of_context(user_id: str | None) -> None:
    headers = CallContext(
        client="web", request_id="r", trace_id=TRACE_ID, user_id=user_id
    ).headers()
    assert set(headers) == {"X-Request-Id", "traceparent", "X-Client"} | (
        {"X-User-Id"} if user_id else set()
    )
