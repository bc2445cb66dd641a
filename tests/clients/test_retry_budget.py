"""Retries of GETs: on the failures that may pass (502, 503, 504, 429, network), within the
retry budget and the request's deadline; never on 500 or 4xx; POSTs only when asked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from clients import (
    CallContext,
    CallTrace,
    DownstreamError,
    DownstreamUnavailable,
    ServiceTransport,
    TransportConfig,
)
from clients._retry import RetryBudget, RetryPolicy
from tests.clients.caching import QUICK_RETRY
from tests.clients.payloads import MENU_URL, restaurant

PATH = "/v1/restaurants/r_1"
URL = f"{MENU_URL}{PATH}"
CTX = CallContext(client="web")
OK = httpx.Response(200, json=restaurant("r_1"))


def test_budget_allows_a_ratio_of_the_calls() -> None:
    budget = RetryBudget(ratio=0.1, floor=0)
    for _ in range(100):
        budget.record_call()
    allowed = sum(budget.try_spend() for _ in range(50))
    assert allowed == 10
    assert budget.refused == 40


def test_budget_floor_allows_retries_without_calls() -> None:
    budget = RetryBudget(ratio=0.1, floor=3)
    assert [budget.try_spend() for _ in range(5)] == [True, True, True, False, False]


def test_budget_without_floor_or_calls_allows_nothing() -> None:
    assert not RetryBudget(ratio=0.5, floor=0).try_spend()


async def test_budget_forgets_calls_outside_its_window() -> None:
    budget = RetryBudget(ratio=1.0, floor=0, window_s=0.05)
    for _ in range(5):
        budget.record_call()
    await asyncio.sleep(0.06)  # at least the window: those calls no longer count
    assert not budget.try_spend()


@pytest.fixture
async def transport(router: respx.MockRouter) -> AsyncIterator[ServiceTransport]:
    service = ServiceTransport("menu", TransportConfig(MENU_URL, retry=QUICK_RETRY, breaker=None))
    yield service
    await service.aclose()


@pytest.mark.parametrize(("ratio", "floor"), [(0.1, 0), (0.1, 3), (0.2, 5)])
async def test_an_outage_gets_at_most_the_budgeted_requests(
    router: respx.MockRouter, ratio: float, floor: int
) -> None:
    route = router.get(URL).respond(503)
    config = TransportConfig(
        MENU_URL,
        retry=RetryPolicy(attempts=3, base_delay_s=0.0, max_delay_s=0.0),
        retry_budget_ratio=ratio,
        retry_budget_floor=floor,
        breaker=None,
    )
    transport = ServiceTransport("menu", config)
    calls = 100
    try:
        for _ in range(calls):
            with pytest.raises(DownstreamUnavailable):
                await transport.get(PATH, CTX)
    finally:
        await transport.aclose()
    assert route.call_count <= calls * (1 + ratio) + floor
    assert route.call_count > calls  # the budget did allow some retries
    assert transport.budget.refused > 0


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(503),
        httpx.Response(504),
        httpx.Response(429),
        httpx.ConnectError("refused"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadTimeout("slow"),
        httpx.ConnectTimeout("slow"),
    ],
    ids=[
        "502",
        "503",
        "504",
        "429",
        "refused",
        "reset",
        "dropped",
        "read-timeout",
        "connect-timeout",
    ],
)
async def test_get_is_retried_on_passing_failures(
    router: respx.MockRouter, transport: ServiceTransport, first: httpx.Response | Exception
) -> None:
    route = router.get(URL).mock(side_effect=[first, OK])
    trace = CallTrace()
    response = await transport.get(PATH, CallContext(client="web", trace=trace))
    assert response.status == 200
    assert route.call_count == 2
    assert (trace.calls[0].retries, trace.calls[0].status) == (1, 200)


@pytest.mark.parametrize("status", [500, 400, 404, 409, 422])
async def test_get_is_not_retried_on_500_or_client_errors(
    router: respx.MockRouter, transport: ServiceTransport, status: int
) -> None:
    route = router.get(URL).mock(side_effect=[httpx.Response(status), OK])
    with pytest.raises(DownstreamError):
        await transport.get(PATH, CTX)
    assert route.call_count == 1


async def test_get_gives_up_after_its_attempts(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).respond(503)
    with pytest.raises(DownstreamUnavailable) as failure:
        await transport.get(PATH, CTX)
    assert failure.value.status == 503
    assert route.call_count == QUICK_RETRY.attempts


def test_retry_after_replaces_the_backoff() -> None:
    policy = RetryPolicy(base_delay_s=30, max_delay_s=30)
    assert policy.delay_s(1, 0.0) == 0.0
    assert policy.delay_s(2, 1.5) == 1.5


async def test_retry_after_zero_is_honoured(router: respx.MockRouter) -> None:
    # A backoff of up to 30 s would not fit the 10 s this test allows; Retry-After: 0 does.
    policy = RetryPolicy(attempts=2, base_delay_s=30, max_delay_s=30)
    transport = ServiceTransport("menu", TransportConfig(MENU_URL, retry=policy))
    route = router.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "0"}), OK]
    )
    try:
        async with asyncio.timeout(10):
            assert (await transport.get(PATH, CTX)).status == 200
    finally:
        await transport.aclose()
    assert route.call_count == 2


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_beyond_the_deadline_is_not_waited_for(
    router: respx.MockRouter, transport: ServiceTransport, status: int
) -> None:
    route = router.get(URL).mock(
        side_effect=[httpx.Response(status, headers={"Retry-After": "2"}), OK]
    )
    deadline = asyncio.get_running_loop().time() + 1.0
    with pytest.raises(DownstreamUnavailable) as failure:
        await transport.get(PATH, CallContext(client="web", deadline=deadline))
    assert failure.value.status == status
    assert failure.value.retry_after == 2.0
    assert route.call_count == 1


async def test_retry_after_over_five_seconds_is_not_waited_for(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": "6"}), OK]
    )
    with pytest.raises(DownstreamUnavailable):
        await transport.get(PATH, CTX)  # no deadline at all: still not worth six seconds
    assert route.call_count == 1


async def test_post_is_not_retried_without_a_policy(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.post(f"{MENU_URL}/v1/things").mock(side_effect=[httpx.Response(503), OK])
    with pytest.raises(DownstreamUnavailable):
        await transport.post("/v1/things", CTX, body={"a": 1})
    assert route.call_count == 1


async def test_post_is_retried_with_a_policy(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.post(f"{MENU_URL}/v1/things").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(201, json={})]
    )
    response = await transport.post("/v1/things", CTX, body={"a": 1}, retry=QUICK_RETRY)
    assert response.status == 201
    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content
