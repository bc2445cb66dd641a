"""Identical GETs in flight at once share one call: across users for public routes, per user
for private ones; each waiter still gives up at its own deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import respx

from clients import CacheOutcome, CallTrace, DownstreamTimeout, DownstreamUnavailable
from clients._http import DownstreamResponse
from tests.clients.caching import (
    PRIVATE_2,
    PUBLIC_60,
    CachedService,
    Gate,
    cached_service,
    ctx_of,
    settle,
)
from tests.clients.payloads import MENU_URL, restaurant

ROUTE = "GET /v1/restaurants/{id}"


def _url(rid: str) -> str:
    return f"{MENU_URL}/v1/restaurants/{rid}"


def _path(rid: str) -> str:
    return f"/v1/restaurants/{rid}"


def _answer_for_user(headers: dict[str, str]) -> Gate:
    """Answers each request with a restaurant named after the user it was made for."""
    return Gate(
        lambda request: httpx.Response(
            200,
            headers=headers,
            json=restaurant("r_1", name=request.headers.get("X-User-Id", "anonymous")),
        )
    )


def _name(response: DownstreamResponse) -> str:
    value = orjson.loads(response.content)["name"]
    assert isinstance(value, str)
    return value


@pytest.fixture
async def service(router: respx.MockRouter) -> AsyncIterator[CachedService]:
    async with cached_service() as cached:
        yield cached


async def test_concurrent_identical_gets_make_one_request(
    router: respx.MockRouter, service: CachedService
) -> None:
    gate = _answer_for_user(PUBLIC_60)
    route = router.get(_url("r_1")).mock(side_effect=gate)
    traces = [CallTrace() for _ in range(10)]

    calls = [
        asyncio.create_task(service.get(_path("r_1"), ctx_of(trace=t), route=ROUTE)) for t in traces
    ]
    await gate.wait_for_arrivals(1)
    await settle()
    gate.open()
    answers = await asyncio.gather(*calls)

    assert route.call_count == 1
    assert len(gate.arrived) == 1
    assert {a.content for a in answers} == {answers[0].content}
    outcomes = sorted(t.calls[0].cache for t in traces)
    assert outcomes.count(CacheOutcome.COALESCED) == 9
    assert outcomes.count(CacheOutcome.MISS) == 1
    assert service.cache.stats.coalesced == 9
    assert not service.transport._inflight  # the flight is forgotten once it lands


async def test_public_route_is_coalesced_across_users(
    router: respx.MockRouter, service: CachedService
) -> None:
    router.get(_url("r_0")).respond(200, headers=PUBLIC_60, json=restaurant("r_0"))
    await service.get(_path("r_0"), ctx_of("u_0"), route=ROUTE)  # learns the route is public
    gate = _answer_for_user(PUBLIC_60)
    route = router.get(_url("r_1")).mock(side_effect=gate)

    calls = [
        asyncio.create_task(service.get(_path("r_1"), ctx_of(f"u_{n}"), route=ROUTE))
        for n in range(1, 6)
    ]
    await gate.wait_for_arrivals(1)
    await settle()
    gate.open()
    answers = await asyncio.gather(*calls)

    assert route.call_count == 1
    assert {_name(a) for a in answers} == {"u_1"}


async def test_private_route_is_coalesced_per_user_only(
    router: respx.MockRouter, service: CachedService
) -> None:
    router.get(_url("r_0")).respond(200, headers=PRIVATE_2, json=restaurant("r_0"))
    await service.get(_path("r_0"), ctx_of("u_0"), route=ROUTE)  # learns the route is private
    gate = _answer_for_user(PRIVATE_2)
    route = router.get(_url("r_1")).mock(side_effect=gate)
    users = ["u_1", "u_2", "u_3"] * 3

    calls = [
        asyncio.create_task(service.get(_path("r_1"), ctx_of(user), route=ROUTE)) for user in users
    ]
    await gate.wait_for_arrivals(3)
    await settle()
    gate.open()
    answers = await asyncio.gather(*calls)

    assert route.call_count == 3
    assert sorted(r.headers["X-User-Id"] for r in gate.arrived) == ["u_1", "u_2", "u_3"]
    # Every caller got the answer made for its own user, never another user's.
    assert [_name(a) for a in answers] == users


async def test_a_waiter_past_its_deadline_leaves_while_the_others_are_served(
    router: respx.MockRouter, service: CachedService
) -> None:
    gate = _answer_for_user(PUBLIC_60)
    route = router.get(_url("r_1")).mock(side_effect=gate)
    loop = asyncio.get_running_loop()

    patient = asyncio.create_task(service.get(_path("r_1"), ctx_of(), route=ROUTE))
    await gate.wait_for_arrivals(1)
    hurried = asyncio.create_task(
        service.get(_path("r_1"), ctx_of(deadline=loop.time() + 0.05), route=ROUTE)
    )
    also_patient = asyncio.create_task(service.get(_path("r_1"), ctx_of(), route=ROUTE))

    with pytest.raises(DownstreamTimeout):
        await hurried
    assert not patient.done() and not also_patient.done()
    gate.open()
    first, second = await asyncio.gather(patient, also_patient)

    assert route.call_count == 1
    assert first.content == second.content
    assert _name(first) == "anonymous"


async def test_the_first_callers_deadline_does_not_cut_the_shared_call(
    router: respx.MockRouter, service: CachedService
) -> None:
    gate = _answer_for_user(PUBLIC_60)
    route = router.get(_url("r_1")).mock(side_effect=gate)
    loop = asyncio.get_running_loop()

    hurried = asyncio.create_task(
        service.get(_path("r_1"), ctx_of(deadline=loop.time() + 0.05), route=ROUTE)
    )
    await gate.wait_for_arrivals(1)
    patient = asyncio.create_task(service.get(_path("r_1"), ctx_of(), route=ROUTE))
    with pytest.raises(DownstreamTimeout):
        await hurried
    gate.open()

    assert (await patient).status == 200
    assert route.call_count == 1
    # The shared answer was stored, so the next caller needs no request.
    assert (await service.get(_path("r_1"), ctx_of(), route=ROUTE)).from_cache
    assert route.call_count == 1


async def test_a_failed_flight_fails_every_waiter_and_is_not_reused(
    router: respx.MockRouter, service: CachedService
) -> None:
    gate = Gate(lambda _: httpx.Response(500))
    route = router.get(_url("r_1")).mock(side_effect=gate)

    calls = [
        asyncio.create_task(service.get(_path("r_1"), ctx_of(), route=ROUTE)) for _ in range(4)
    ]
    await gate.wait_for_arrivals(1)
    await settle()
    gate.open()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(r, DownstreamUnavailable) for r in results)
    assert route.call_count == 1

    route.mock(side_effect=None, return_value=httpx.Response(200, json=restaurant("r_1")))
    assert (await service.get(_path("r_1"), ctx_of(), route=ROUTE)).status == 200
    assert route.call_count == 2
