"""The bulkhead: a bounded number of calls in flight per service; the next one is refused (and
not retried) after a short wait; slots come back after every outcome."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from clients import (
    BulkheadRejected,
    CallContext,
    CallTrace,
    DownstreamError,
    ServiceTransport,
    TransportConfig,
)
from clients._bulkhead import Bulkhead, BulkheadFull
from tests.clients.caching import QUICK_RETRY, Gate, answering
from tests.clients.payloads import MENU_URL, restaurant

PATH = "/v1/restaurants/r_1"
URL = f"{MENU_URL}{PATH}"
CTX = CallContext(client="web")


async def test_bulkhead_refuses_beyond_its_slots_and_frees_them() -> None:
    bulkhead = Bulkhead(max_concurrent=2, max_wait_s=0.01)
    async with bulkhead.slot(), bulkhead.slot():
        assert bulkhead.in_use == 2
        with pytest.raises(BulkheadFull):
            async with bulkhead.slot():
                pass
    assert bulkhead.in_use == 0
    assert bulkhead.rejected == 1


async def test_a_slot_is_freed_when_the_call_inside_fails() -> None:
    bulkhead = Bulkhead(max_concurrent=1, max_wait_s=0.01)
    with pytest.raises(RuntimeError):
        async with bulkhead.slot():
            raise RuntimeError("failed")
    assert bulkhead.in_use == 0
    async with bulkhead.slot():
        assert bulkhead.in_use == 1


async def test_a_waiting_call_gets_a_slot_freed_within_its_wait() -> None:
    bulkhead = Bulkhead(max_concurrent=1, max_wait_s=5)
    release = asyncio.Event()

    async def hold() -> None:
        async with bulkhead.slot():
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(hold())
    await asyncio.sleep(0)
    assert bulkhead.in_use == 1 and not waiter.done()
    release.set()
    await asyncio.gather(holder, waiter)
    assert (bulkhead.in_use, bulkhead.rejected) == (0, 0)


@pytest.fixture
async def transport(router: respx.MockRouter) -> AsyncIterator[ServiceTransport]:
    config = TransportConfig(
        MENU_URL, max_concurrent=2, bulkhead_wait_s=0.02, breaker=None, retry=QUICK_RETRY
    )
    service = ServiceTransport("menu", config)
    yield service
    await service.aclose()


async def test_a_third_concurrent_call_is_rejected_without_retry(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    gate = Gate(lambda _: httpx.Response(200, json=restaurant("r_1")))
    route = router.get(URL).mock(side_effect=gate)
    running = [asyncio.create_task(transport.get(PATH, CTX)) for _ in range(2)]
    await gate.wait_for_arrivals(2)

    trace = CallTrace()
    with pytest.raises(BulkheadRejected):
        await transport.get(PATH, CallContext(client="web", trace=trace))
    assert len(gate.arrived) == 2
    assert (trace.calls[0].retries, trace.calls[0].error) == (0, "BulkheadRejected")
    assert transport.bulkhead.rejected == 1  # one refusal: it was not tried again

    gate.open()
    assert [r.status for r in await asyncio.gather(*running)] == [200, 200]
    assert route.call_count == 2
    assert transport.bulkhead.in_use == 0


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.Response(500),
        httpx.Response(404),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
    ],
    ids=["503", "500", "404", "timeout", "dropped"],
)
async def test_slots_are_released_after_failures(
    router: respx.MockRouter, transport: ServiceTransport, failure: httpx.Response | Exception
) -> None:
    route = router.get(URL).mock(side_effect=answering(failure))
    results = await asyncio.gather(
        *(transport.get(PATH, CTX) for _ in range(2)), return_exceptions=True
    )
    assert all(isinstance(r, DownstreamError) for r in results)
    assert transport.bulkhead.in_use == 0

    # Both slots are free again: two calls held at once are both let through.
    gate = Gate(lambda _: httpx.Response(200, json=restaurant("r_1")))
    route.mock(side_effect=gate)
    running = [asyncio.create_task(transport.get(PATH, CTX)) for _ in range(2)]
    await gate.wait_for_arrivals(2)
    gate.open()
    assert [r.status for r in await asyncio.gather(*running)] == [200, 200]
    assert transport.bulkhead.rejected == 0


async def test_a_cancelled_call_frees_its_slot(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    gate = Gate(lambda _: httpx.Response(200, json=restaurant("r_1")))
    router.get(URL).mock(side_effect=gate)
    running = [asyncio.create_task(transport.get(PATH, CTX)) for _ in range(2)]
    await gate.wait_for_arrivals(2)
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)
    assert transport.bulkhead.in_use == 0
