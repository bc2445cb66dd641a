"""The circuit breaker: closed below its minimum of calls, open at its failure ratio, half-open
after ``open_s`` for a few probes, closed again when they succeed and reopened when one fails."""

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
    CircuitOpen,
    DownstreamTimeout,
    DownstreamUnavailable,
    NotFoundError,
    ServiceTransport,
    TransportConfig,
)
from clients._breaker import BreakerConfig, BreakerState, CircuitBreaker
from clients._retry import RetryPolicy
from tests.clients.caching import Gate, poll
from tests.clients.payloads import MENU_URL, restaurant

CONFIG = BreakerConfig(window_s=10, min_calls=4, failure_ratio=0.5, open_s=0.05, half_open_probes=2)
PATH = "/v1/restaurants/r_1"
URL = f"{MENU_URL}{PATH}"
CTX = CallContext(client="web")


def _opened(config: BreakerConfig = CONFIG) -> CircuitBreaker:
    breaker = CircuitBreaker(config)
    for _ in range(config.min_calls):
        breaker.record(False)
    assert breaker.state is BreakerState.OPEN
    return breaker


def _state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # a call, so that mypy does not keep a narrowed state across records


async def _half_open(breaker: CircuitBreaker) -> None:
    await poll(lambda: breaker.state is BreakerState.HALF_OPEN)


def test_stays_closed_below_min_calls() -> None:
    breaker = CircuitBreaker(CONFIG)
    for _ in range(CONFIG.min_calls - 1):
        breaker.record(False)
    assert breaker.state is BreakerState.CLOSED
    assert breaker.allow()


@pytest.mark.parametrize(
    ("outcomes", "state"),
    [
        ([True, True, False, False], BreakerState.OPEN),  # 2 of 4 = the threshold
        ([True, True, True, False], BreakerState.CLOSED),
        ([True] * 6 + [False] * 3, BreakerState.CLOSED),  # 3 of 9 < 0.5
        ([True] * 6 + [False] * 6, BreakerState.OPEN),
    ],
    ids=["at-ratio", "below-ratio", "many-below", "many-at"],
)
def test_opens_when_the_failure_ratio_reaches_the_threshold(
    outcomes: list[bool], state: BreakerState
) -> None:
    breaker = CircuitBreaker(CONFIG)
    for ok in outcomes:
        breaker.record(ok)
    assert breaker.state is state
    assert breaker.allow() is (state is BreakerState.CLOSED)
    assert breaker.opened_count == (1 if state is BreakerState.OPEN else 0)


async def test_failures_outside_the_window_are_forgotten() -> None:
    breaker = CircuitBreaker(BreakerConfig(window_s=0.05, min_calls=4, failure_ratio=0.5))
    for _ in range(3):
        breaker.record(False)
    await asyncio.sleep(0.06)  # at least the window: the three failures fall out of it
    breaker.record(False)
    breaker.record(True)
    breaker.record(True)
    breaker.record(True)
    assert breaker.state is BreakerState.CLOSED


async def test_half_open_lets_exactly_the_probes_through_then_closes() -> None:
    breaker = _opened()
    assert not breaker.allow()
    await _half_open(breaker)

    assert [breaker.allow() for _ in range(4)] == [True, True, False, False]
    breaker.record(True)
    assert _state(breaker) is BreakerState.HALF_OPEN
    breaker.record(True)
    assert _state(breaker) is BreakerState.CLOSED
    assert all(breaker.allow() for _ in range(5))


async def test_a_failed_probe_reopens() -> None:
    breaker = _opened()
    await _half_open(breaker)
    assert breaker.allow()
    breaker.record(False)
    assert breaker.state is BreakerState.OPEN
    assert breaker.opened_count == 2
    assert not breaker.allow()
    await _half_open(breaker)  # and it probes again after another open_s
    assert breaker.allow()


async def test_closing_starts_a_fresh_window() -> None:
    breaker = _opened()
    await _half_open(breaker)
    for _ in range(CONFIG.half_open_probes):
        assert breaker.allow()
        breaker.record(True)
    assert breaker.state is BreakerState.CLOSED
    for _ in range(CONFIG.min_calls - 1):
        breaker.record(False)
    assert breaker.state is BreakerState.CLOSED


# -- through the transport -----------------------------------------------------------------


@pytest.fixture
async def transport(router: respx.MockRouter) -> AsyncIterator[ServiceTransport]:
    config = TransportConfig(MENU_URL, breaker=CONFIG, retry=RetryPolicy(attempts=1))
    service = ServiceTransport("menu", config)
    yield service
    await service.aclose()


def _breaker(transport: ServiceTransport) -> CircuitBreaker:
    assert transport.breaker is not None
    return transport.breaker


async def test_open_breaker_refuses_without_a_request(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).respond(503)
    for _ in range(CONFIG.min_calls):
        with pytest.raises(DownstreamUnavailable):
            await transport.get(PATH, CTX)
    assert _breaker(transport).state is BreakerState.OPEN
    sent = route.call_count

    trace = CallTrace()
    with pytest.raises(CircuitOpen):
        await transport.get(PATH, CallContext(client="web", trace=trace))
    assert route.call_count == sent == CONFIG.min_calls
    assert trace.calls[0].error == "CircuitOpen" and trace.calls[0].retries == 0


async def test_circuit_open_is_not_retried(router: respx.MockRouter) -> None:
    route = router.get(URL).respond(503)
    config = TransportConfig(MENU_URL, breaker=CONFIG, retry=RetryPolicy(attempts=5))
    transport = ServiceTransport("menu", config)
    try:
        for _ in range(CONFIG.min_calls):
            with pytest.raises(DownstreamUnavailable):
                await transport.get(PATH, CTX)
        sent = route.call_count
        with pytest.raises(CircuitOpen):
            await transport.get(PATH, CTX)
        assert route.call_count == sent
    finally:
        await transport.aclose()


async def test_breaker_recovers_through_probes(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).respond(503)
    for _ in range(CONFIG.min_calls):
        with pytest.raises(DownstreamUnavailable):
            await transport.get(PATH, CTX)
    await _half_open(_breaker(transport))
    route.respond(200, json=restaurant("r_1"))

    for _ in range(CONFIG.half_open_probes):
        assert (await transport.get(PATH, CTX)).status == 200
    assert _breaker(transport).state is BreakerState.CLOSED


async def test_client_errors_count_as_successes(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).respond(404, json={"code": "NOT_FOUND"})
    for _ in range(CONFIG.min_calls * 3):
        with pytest.raises(NotFoundError):
            await transport.get(PATH, CTX)
    assert _breaker(transport).state is BreakerState.CLOSED
    assert route.call_count == CONFIG.min_calls * 3


async def test_timeouts_and_dropped_connections_count_as_failures(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    router.get(URL).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped")] * 2
    )
    for _ in range(CONFIG.min_calls):
        with pytest.raises(DownstreamUnavailable):
            await transport.get(PATH, CTX)
    assert _breaker(transport).state is BreakerState.OPEN


async def test_probes_refused_by_the_bulkhead_are_given_back(router: respx.MockRouter) -> None:
    route = router.get(URL).respond(200, json=restaurant("r_1"))
    config = TransportConfig(
        MENU_URL, breaker=CONFIG, retry=RetryPolicy(attempts=1), max_concurrent=1
    )
    transport = ServiceTransport("menu", config)
    breaker = _breaker(transport)
    try:
        for _ in range(CONFIG.min_calls):
            breaker.record(False)
        await _half_open(breaker)
        async with transport.bulkhead.slot():  # the only slot is busy
            for _ in range(CONFIG.half_open_probes):
                with pytest.raises(BulkheadRejected):
                    await transport.get(PATH, CTX)
        # Probes that never went out are not used up: the breaker can still close.
        for _ in range(CONFIG.half_open_probes):
            assert (await transport.get(PATH, CTX)).status == 200
        assert breaker.state is BreakerState.CLOSED
        assert route.call_count == CONFIG.half_open_probes
    finally:
        await transport.aclose()


async def test_a_call_past_its_deadline_takes_no_probe(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    route = router.get(URL).respond(200, json=restaurant("r_1"))
    breaker = _breaker(transport)
    for _ in range(CONFIG.min_calls):
        breaker.record(False)
    await _half_open(breaker)
    late = CallContext(client="web", deadline=asyncio.get_running_loop().time() - 1)
    for _ in range(CONFIG.half_open_probes + 1):
        with pytest.raises(DownstreamTimeout):
            await transport.get(PATH, late)
    for _ in range(CONFIG.half_open_probes):
        assert (await transport.get(PATH, CTX)).status == 200
    assert breaker.state is BreakerState.CLOSED
    assert route.call_count == CONFIG.half_open_probes


async def test_a_cancelled_probe_is_given_back(
    router: respx.MockRouter, transport: ServiceTransport
) -> None:
    gate = Gate(lambda _: httpx.Response(200, json=restaurant("r_1")))
    router.get(URL).mock(side_effect=gate)
    breaker = _breaker(transport)
    for _ in range(CONFIG.min_calls):
        breaker.record(False)
    await _half_open(breaker)
    probes = [asyncio.create_task(transport.get(PATH, CTX)) for _ in range(CONFIG.half_open_probes)]
    await gate.wait_for_arrivals(CONFIG.half_open_probes)
    for probe in probes:
        probe.cancel()
    await asyncio.gather(*probes, return_exceptions=True)
    gate.open()
    for _ in range(CONFIG.half_open_probes):
        assert (await transport.get(PATH, CTX)).status == 200
    assert breaker.state is BreakerState.CLOSED
