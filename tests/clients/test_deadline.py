"""The request's deadline bounds every call: none is made once it has passed, and a slow answer
is abandoned when it arrives, whatever the read timeout."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from clients import (
    CacheOutcome,
    CallContext,
    CallTrace,
    DownstreamTimeout,
    MenuClient,
    ServiceTransport,
    TransportConfig,
)
from clients._retry import RetryPolicy
from tests.clients.caching import PUBLIC_60, Gate, cached_service, poll, settle
from tests.clients.payloads import MENU_URL, restaurant

PATH = "/v1/restaurants/r_1"
URL = f"{MENU_URL}{PATH}"
# Far longer than any deadline below: a call that waited for it would fail the test's guard.
SLOW_S = 30.0
CONFIG = TransportConfig(MENU_URL, read_timeout_s=SLOW_S, connect_timeout_s=SLOW_S)


def _past() -> float:
    return asyncio.get_running_loop().time() - 1


def _in(seconds: float) -> float:
    return asyncio.get_running_loop().time() + seconds


async def _slow(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(SLOW_S)
    return httpx.Response(200, json=restaurant("r_1"))


@pytest.fixture
async def transport(router: respx.MockRouter) -> AsyncIterator[ServiceTransport]:
    service = ServiceTransport("menu", CONFIG)
    yield service
    await service.aclose()


async def test_a_passed_deadline_makes_no_request(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    router.route().respond(200, json=restaurant("r_1"))
    trace = CallTrace()
    with pytest.raises(DownstreamTimeout):
        await transport.get(PATH, CallContext(client="web", deadline=_past(), trace=trace))
    with pytest.raises(DownstreamTimeout):
        await transport.post("/v1/things", CallContext(client="web", deadline=_past()), body={})
    assert len(router.calls) == 0
    assert trace.calls[0].error == "DownstreamTimeout"


async def test_a_passed_deadline_makes_no_request_through_the_cache(
    router: respx.MockRouter,
) -> None:
    router.route().respond(200, headers=PUBLIC_60, json=restaurant("r_1"))
    async with cached_service(CONFIG) as service:
        trace = CallTrace()
        with pytest.raises(DownstreamTimeout):
            await MenuClient(service.transport).restaurant(
                "r_1", CallContext(client="web", deadline=_past(), trace=trace)
            )
        await settle()
        assert not service.transport._inflight
        assert len(router.calls) == 0
        assert [c.error for c in trace.calls] == ["DownstreamTimeout"]


async def test_a_fresh_cached_answer_is_served_even_past_the_deadline(
    router: respx.MockRouter,
) -> None:
    route = router.get(URL).respond(200, headers=PUBLIC_60, json=restaurant("r_1"))
    async with cached_service(CONFIG) as service:
        await service.get(PATH, CallContext(client="web"))
        late = await service.get(PATH, CallContext(client="web", deadline=_past()))
    assert late.from_cache
    assert route.call_count == 1


async def test_a_slow_answer_is_abandoned_at_the_deadline(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    router.get(URL).mock(side_effect=_slow)
    trace = CallTrace()
    async with asyncio.timeout(SLOW_S / 3):  # the guard: fails the test if the call waited
        with pytest.raises(DownstreamTimeout):
            await transport.get(PATH, CallContext(client="web", deadline=_in(0.2), trace=trace))
    (record,) = trace.calls
    assert record.error == "DownstreamTimeout"
    assert record.status is None
    assert record.retries == 0  # no time was left to try again


async def test_a_slow_post_is_abandoned_at_the_deadline(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    router.post(f"{MENU_URL}/v1/things").mock(side_effect=_slow)
    async with asyncio.timeout(SLOW_S / 3):
        with pytest.raises(DownstreamTimeout):
            await transport.post(
                "/v1/things",
                CallContext(client="web", deadline=_in(0.2)),
                body={},
                retry=RetryPolicy(),
            )


async def test_a_timed_out_attempt_is_retried_while_time_is_left(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(200, json=restaurant("r_1"))]
    )
    response = await transport.get(PATH, CallContext(client="web", deadline=_in(5)))
    assert response.status == 200
    assert route.call_count == 2


async def test_a_cached_call_waits_no_longer_than_its_deadline(
    router: respx.MockRouter,
) -> None:
    gate = Gate(lambda _: httpx.Response(200, headers=PUBLIC_60, json=restaurant("r_1")))
    route = router.get(URL).mock(side_effect=gate)
    async with cached_service(CONFIG) as service:
        trace = CallTrace()
        async with asyncio.timeout(SLOW_S / 3):
            with pytest.raises(DownstreamTimeout):
                await service.get(PATH, CallContext(client="web", deadline=_in(0.1), trace=trace))
        assert [c.cache for c in trace.calls] == [CacheOutcome.MISS]
        # The shared call goes on and fills the cache for the callers that come next.
        gate.open()
        await poll(lambda: not service.transport._inflight)
        assert (await service.get(PATH, CallContext(client="web"))).from_cache
    assert route.call_count == 1
