"""Retries of the keyed order POST: the same key and body again, only on failures that allow it."""

from __future__ import annotations

import httpx
import orjson
import pytest
import respx

from clients import (
    Address,
    CallContext,
    DownstreamUnavailable,
    LatLng,
    OrderClient,
    OrderLineRequest,
    PlaceOrderRequest,
)
from clients._retry import RetryPolicy
from tests.clients.payloads import ORDER_URL, order

CTX = CallContext(client="mobile", user_id="u_1")
REQUEST = PlaceOrderRequest(
    customer_id="u_1",
    restaurant_id="r_1",
    items=[OrderLineRequest(menu_item_id="m_1", quantity=2)],
    delivery_address=Address(
        line1="Rua Augusta 1",
        city="Lisbon",
        postcode="1100-048",
        location=LatLng(lat=38.7, lng=-9.1),
    ),
)


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(503),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(504),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
    ],
    ids=["503", "502", "504", "429", "dropped", "refused", "timeout"],
)
async def test_place_order_is_repeated_with_the_same_key_and_body(
    router: respx.MockRouter, orders: OrderClient, first: httpx.Response | Exception
) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders").mock(
        side_effect=[first, httpx.Response(201, json=order("o_9"))]
    )
    placed = await orders.place_order(REQUEST, "key-12345678", CTX)

    assert placed.id == "o_9"
    assert route.call_count == 2
    sent = [
        (c.request.headers["Idempotency-Key"], orjson.loads(c.request.content)) for c in route.calls
    ]
    assert sent[0] == sent[1]
    assert sent[0][0] == "key-12345678"


@pytest.mark.parametrize("status", [500, 400, 409, 422])
async def test_place_order_is_not_repeated_on_other_answers(
    router: respx.MockRouter, orders: OrderClient, status: int
) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders").respond(status, json={"code": "X"})
    with pytest.raises(Exception):  # noqa: B017 - the mapped type is covered elsewhere
        await orders.place_order(REQUEST, "key-12345678", CTX)
    assert route.call_count == 1


async def test_place_order_gives_up_after_its_attempts(
    router: respx.MockRouter, orders: OrderClient
) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders").respond(503)
    with pytest.raises(DownstreamUnavailable) as failure:
        await orders.place_order(REQUEST, "key-12345678", CTX)
    assert failure.value.status == 503
    assert route.call_count == RetryPolicy().attempts


async def test_cancel_is_never_repeated(router: respx.MockRouter, orders: OrderClient) -> None:
    route = router.post(f"{ORDER_URL}/v1/orders/o_1/cancel").respond(503)
    with pytest.raises(DownstreamUnavailable):
        await orders.cancel_order("o_1", "late", CTX)
    assert route.call_count == 1


def test_backoff_is_jittered_within_its_cap() -> None:
    policy = RetryPolicy(attempts=5, base_delay_s=0.1, max_delay_s=0.3)
    for attempt in range(1, 5):
        delays = {policy.delay_s(attempt) for _ in range(50)}
        assert all(0 <= d <= min(0.3, 0.1 * 2 ** (attempt - 1)) for d in delays)
        assert len(delays) > 1
