"""Batch gets: ids validated first, de-duplicated, chunked to the endpoint max, run concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest
import respx

from clients import (
    CallContext,
    CourierClient,
    DownstreamUnavailable,
    InvalidIdError,
    MenuClient,
    OrderClient,
    PartialBatch,
    ServiceTransport,
    TransportConfig,
)
from tests.clients.payloads import (
    COURIER_URL,
    MENU_URL,
    ORDER_URL,
    courier,
    delivery,
    order,
    restaurant,
)

CTX = CallContext(client="web")
RESTAURANTS = f"{MENU_URL}/v1/restaurants"


def _ids_of(request: httpx.Request, param: str = "ids") -> list[str]:
    values = request.url.params.get_list(param)
    assert len(values) == 1, f"{param} must be sent exactly once: {request.url}"
    return values[0].split(",")


Handler = Callable[[httpx.Request], httpx.Response]


def _echo(
    factory: Callable[[str], dict[str, Any]],
    param: str = "ids",
    skip: frozenset[str] = frozenset(),
) -> Handler:
    """A side effect answering a batch get with every asked-for id except ``skip``."""

    def answer(request: httpx.Request) -> httpx.Response:
        items = [factory(i) for i in _ids_of(request, param) if i not in skip]
        return httpx.Response(200, json={"items": items})

    return answer


async def test_250_restaurants_are_fetched_in_3_chunks(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    ids = [f"r_{n}" for n in range(250)]

    found = await menu.restaurants(ids, CTX)

    assert set(found) == set(ids)
    assert all(found[i].id == i for i in ids)
    assert route.call_count == 3
    chunks = [_ids_of(call.request) for call in route.calls]
    assert all(len(chunk) <= 100 for chunk in chunks)
    sent = [i for chunk in chunks for i in chunk]
    assert sorted(sent) == sorted(ids)  # every id exactly once
    assert all(set(call.request.url.params) == {"ids"} for call in route.calls)


async def test_orders_chunk_at_50(router: respx.MockRouter, orders: OrderClient) -> None:
    route = router.get(f"{ORDER_URL}/v1/orders").mock(side_effect=_echo(order))
    ids = [f"o_{n}" for n in range(101)]

    found = await orders.orders(ids, CTX)

    assert set(found) == set(ids)
    sizes = sorted(len(_ids_of(call.request)) for call in route.calls)
    assert sizes == [1, 50, 50]


async def test_exactly_the_max_is_one_call(router: respx.MockRouter, menu: MenuClient) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants([f"r_{n}" for n in range(100)], CTX)
    assert route.call_count == 1


async def test_id_lists_are_sent_with_plain_commas(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    # The contract splits on commas after URL decoding, so %2C would mean the same; plain
    # commas are what its examples show, and cheaper to build.
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1", "r_2", "r_3"], CTX)
    assert route.calls.last.request.url.query == b"ids=r_1,r_2,r_3"


async def test_a_base_url_with_a_path_keeps_it(router: respx.MockRouter) -> None:
    route = router.get(f"{MENU_URL}/menu-service/v1/restaurants").mock(
        side_effect=_echo(restaurant)
    )
    for base in (f"{MENU_URL}/menu-service", f"{MENU_URL}/menu-service/"):
        transport = ServiceTransport("menu", TransportConfig(base))
        await MenuClient(transport).restaurants(["r_1"], CTX)
        await transport.aclose()
    assert route.call_count == 2


async def test_duplicates_are_sent_once(router: respx.MockRouter, menu: MenuClient) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    # 150 ids but only 100 distinct ones: duplicates must not push the batch into a second call.
    ids = [f"r_{n}" for n in range(100)] + [f"r_{n}" for n in range(50)]

    found = await menu.restaurants(ids, CTX)

    assert route.call_count == 1
    assert _ids_of(route.calls.last.request) == [f"r_{n}" for n in range(100)]
    assert len(found) == 100


async def test_absent_ids_are_absent(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(RESTAURANTS).mock(side_effect=_echo(restaurant, skip=frozenset({"r_2"})))
    found = await menu.restaurants(["r_1", "r_2", "r_3"], CTX)
    assert set(found) == {"r_1", "r_3"}


async def test_items_not_asked_for_are_dropped(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(RESTAURANTS).respond(200, json={"items": [restaurant("r_1"), restaurant("r_x")]})
    found = await menu.restaurants(["r_1"], CTX)
    assert set(found) == {"r_1"}


async def test_no_ids_makes_no_call(router: respx.MockRouter, menu: MenuClient) -> None:
    route = router.get(RESTAURANTS).respond(200, json={"items": []})
    assert await menu.restaurants([], CTX) == {}
    assert route.call_count == 0


INVALID_IDS = {
    "comma": "r_1,r_2",
    "space": "r 1",
    "tab": "r\t1",
    "slash": "r/1",
    "question": "r?1",
    "hash": "r#1",
    "percent": "r%2C1",
    "nul": "r\x001",
    "newline": "r_1\n",
    "del": "r\x7f",
    "too-long": "r" * 65,
    "empty": "",
}


@pytest.mark.parametrize("bad", INVALID_IDS.values(), ids=list(INVALID_IDS))
async def test_invalid_id_raises_before_any_request(
    router: respx.MockRouter, menu: MenuClient, bad: str
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    # The bad id comes last, after enough good ids to fill a whole chunk.
    ids = [f"r_{n}" for n in range(150)] + [bad]
    with pytest.raises(InvalidIdError) as caught:
        await menu.restaurants(ids, CTX)
    assert caught.value.value == bad
    assert route.call_count == 0
    assert len(router.calls) == 0


@pytest.mark.parametrize("bad", ["o/1", "o?x=1", "", "o" * 65])
async def test_invalid_id_in_single_get_makes_no_request(
    router: respx.MockRouter, orders: OrderClient, bad: str
) -> None:
    router.route().respond(200, json=order("o_1"))
    with pytest.raises(InvalidIdError):
        await orders.order(bad, CTX)
    with pytest.raises(InvalidIdError):
        await orders.cancel_order(bad, "late", CTX)
    assert len(router.calls) == 0


async def test_64_character_id_is_allowed(router: respx.MockRouter, menu: MenuClient) -> None:
    rid = "r" * 64
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    assert set(await menu.restaurants([rid], CTX)) == {rid}
    assert route.call_count == 1


async def test_deliveries_use_order_ids_and_are_keyed_by_order(
    router: respx.MockRouter, couriers: CourierClient
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        asked = _ids_of(request, "order_ids")
        # o_3 has no delivery yet.
        items = [delivery(f"d_{o}", o) for o in asked if o != "o_3"]
        return httpx.Response(200, json={"items": items})

    route = router.get(f"{COURIER_URL}/v1/deliveries").mock(side_effect=answer)

    found = await couriers.deliveries_for_orders(["o_1", "o_2", "o_3"], CTX)

    assert set(found) == {"o_1", "o_2"}
    assert found["o_1"].id == "d_o_1"
    assert found["o_2"].order_id == "o_2"
    assert route.call_count == 1
    assert set(route.calls.last.request.url.params) == {"order_ids"}


async def test_couriers_are_keyed_by_id(router: respx.MockRouter, couriers: CourierClient) -> None:
    route = router.get(f"{COURIER_URL}/v1/couriers").mock(side_effect=_echo(courier))
    found = await couriers.couriers(["c_7", "c_8"], CTX)
    assert set(found) == {"c_7", "c_8"}
    assert _ids_of(route.calls.last.request) == ["c_7", "c_8"]


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (httpx.Response(503, headers={"Retry-After": "2"}), DownstreamUnavailable),
        (httpx.ReadTimeout("slow"), DownstreamUnavailable),
    ],
    ids=["503", "timeout"],
)
async def test_one_failing_chunk_fails_the_batch(
    router: respx.MockRouter,
    menu: MenuClient,
    failure: httpx.Response | Exception,
    error: type[Exception],
) -> None:
    ok = _echo(restaurant)

    def answer(request: httpx.Request) -> httpx.Response:
        if "r_150" in _ids_of(request):
            if isinstance(failure, Exception):
                raise failure
            return failure
        return ok(request)

    router.get(RESTAURANTS).mock(side_effect=answer)
    with pytest.raises(error) as failed:
        await menu.restaurants([f"r_{n}" for n in range(250)], CTX)
    assert isinstance(failed.value, PartialBatch)
    assert "r_150" not in failed.value.found and "r_0" in failed.value.found


class _GateTransport(httpx.AsyncBaseTransport):
    """Holds every request until ``expected`` are in flight at once; optionally fails one."""

    def __init__(self, expected: int, fail_id: str | None = None) -> None:
        self.expected = expected
        self.fail_id = fail_id
        self.in_flight = 0
        self.cancelled = 0
        self.all_in = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        ids = request.url.params["ids"].split(",")
        self.in_flight += 1
        if self.in_flight == self.expected:
            self.all_in.set()
        if self.fail_id in ids:
            await self.all_in.wait()
            # 500 is not retried: the chunk fails once, the others still complete.
            return httpx.Response(500, content=b"internal error")
        try:
            # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that races it.
            await self.all_in.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        items = [restaurant(i) for i in ids]
        return httpx.Response(200, content=orjson.dumps({"items": items}))


async def test_chunks_run_concurrently() -> None:
    gate = _GateTransport(expected=3)
    transport = ServiceTransport("menu", TransportConfig(MENU_URL), http_transport=gate)
    try:
        found = await asyncio.wait_for(
            MenuClient(transport).restaurants([f"r_{n}" for n in range(250)], CTX), timeout=5
        )
    finally:
        await transport.aclose()
    assert len(found) == 250
    assert gate.in_flight == 3


async def test_a_failing_chunk_keeps_what_the_others_found() -> None:
    gate = _GateTransport(expected=3, fail_id="r_0")
    transport = ServiceTransport("menu", TransportConfig(MENU_URL), http_transport=gate)
    try:
        with pytest.raises(PartialBatch) as partial:
            await asyncio.wait_for(
                MenuClient(transport).restaurants([f"r_{n}" for n in range(250)], CTX), timeout=5
            )
    finally:
        await transport.aclose()
    # The chunk holding r_0 (r_0..r_99) failed; the two others were served.
    assert set(partial.value.found) == {f"r_{n}" for n in range(100, 250)}
