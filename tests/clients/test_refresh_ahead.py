"""Refresh-ahead: a cached entity read in the last stretch of its freshness is fetched again
beside the request, so that the reads after it find it fresh instead of paying a call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from clients import CacheOutcome, CallTrace, CourierClient, MenuClient
from tests.clients.caching import (
    PRIVATE_2,
    PUBLIC_60,
    CachedService,
    cached_service,
    ctx_of,
    ids_of,
)
from tests.clients.payloads import MENU_URL, delivery, restaurant

RESTAURANTS = f"{MENU_URL}/v1/restaurants"
DELIVERIES = f"{MENU_URL}/v1/deliveries"


class Versions:
    """Answers whose every entity names the call that served it (v1, v2, …)."""

    def __init__(self, factory: Callable[[str], dict[str, Any]], headers: dict[str, str]):
        self.factory, self.headers, self.calls = factory, headers, 0

    def restaurants(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        items = [self.factory(i) | {"name": f"v{self.calls}"} for i in ids_of(request)]
        return httpx.Response(200, headers=self.headers, json={"items": items})


@pytest.fixture
async def service(router: respx.MockRouter) -> AsyncIterator[CachedService]:
    async with cached_service(refresh_ahead=0.8) as cached:
        yield cached


@pytest.fixture
def menu(service: CachedService) -> MenuClient:
    return MenuClient(service.transport)


async def test_an_entity_read_near_its_expiry_is_fetched_again_beside_the_request(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    versions = Versions(restaurant, PUBLIC_60)
    route = router.get(RESTAURANTS).mock(side_effect=versions.restaurants)
    await menu.restaurants(["r_1", "r_2"], ctx_of())

    service.clock.advance(30)  # not yet in the last fifth of its 60 s
    await menu.restaurants(["r_1", "r_2"], ctx_of())
    await service.transport.background_done()
    assert route.call_count == 1

    service.clock.advance(20)  # 50 s old: due
    trace = CallTrace()
    found = await menu.restaurants(["r_1", "r_2"], ctx_of(trace=trace))
    # Served from the cache at once; the refresh is not the request's call.
    assert {r.name for r in found.values()} == {"v1"}
    assert [c.cache for c in trace.calls] == [CacheOutcome.HIT]
    await service.transport.background_done()
    assert route.call_count == 2
    assert sorted(ids_of(route.calls.last.request)) == ["r_1", "r_2"]
    assert service.cache.stats.refreshed == 2

    service.clock.advance(20)  # past the first answer's 60 s, within the refreshed one's
    found = await menu.restaurants(["r_1", "r_2"], ctx_of())
    assert {r.name for r in found.values()} == {"v2"}
    assert route.call_count == 2


async def test_concurrent_reads_of_a_due_entity_refresh_it_once(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    versions = Versions(restaurant, PUBLIC_60)
    route = router.get(RESTAURANTS).mock(side_effect=versions.restaurants)
    await menu.restaurants(["r_1", "r_2"], ctx_of())
    service.clock.advance(50)
    await asyncio.gather(*(menu.restaurants(["r_1", "r_2"], ctx_of(f"u_{n}")) for n in range(5)))
    await menu.restaurants(["r_2"], ctx_of())
    await service.transport.background_done()
    assert route.call_count == 2


async def test_a_failed_refresh_leaves_the_entry_to_expire_as_it_would(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    versions = Versions(restaurant, PUBLIC_60)
    route = router.get(RESTAURANTS).mock(side_effect=versions.restaurants)
    await menu.restaurants(["r_1"], ctx_of())
    route.mock(return_value=httpx.Response(503))
    service.clock.advance(50)
    found = await menu.restaurants(["r_1"], ctx_of())
    await service.transport.background_done()
    assert found["r_1"].name == "v1"  # the request never saw the failure
    assert service.cache.stats.refreshed == 0
    service.clock.advance(5)
    assert (await menu.restaurants(["r_1"], ctx_of()))["r_1"].name == "v1"
    await service.transport.background_done()

    route.mock(side_effect=versions.restaurants)
    service.clock.advance(6)  # expired: fetched on the request's path, as without refresh-ahead
    trace = CallTrace()
    found = await menu.restaurants(["r_1"], ctx_of(trace=trace))
    assert [c.cache for c in trace.calls] == [CacheOutcome.MISS]
    assert found["r_1"].name.startswith("v")


async def test_private_entities_are_refreshed_for_their_own_customer(
    router: respx.MockRouter, service: CachedService
) -> None:
    couriers = CourierClient(service.transport)
    asked_for: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked_for.append(request.headers.get("X-User-Id"))
        items = [delivery(f"d_{o}", o) for o in ids_of(request, "order_ids")]
        return httpx.Response(200, headers=PRIVATE_2, json={"items": items})

    router.get(DELIVERIES).mock(side_effect=answer)
    await couriers.deliveries_for_orders(["o_1"], ctx_of("u_1"))
    service.clock.advance(1.7)
    await couriers.deliveries_for_orders(["o_1"], ctx_of("u_1"))
    await service.transport.background_done()
    assert asked_for == ["u_1", "u_1"]

    # Another customer's read never finds u_1's entry, refreshed or not.
    await couriers.deliveries_for_orders(["o_1"], ctx_of("u_2"))
    assert asked_for == ["u_1", "u_1", "u_2"]
    service.clock.advance(0.5)  # u_1's refreshed entry is fresh, though the first one expired
    trace = CallTrace()
    await couriers.deliveries_for_orders(["o_1"], ctx_of("u_1", trace=trace))
    assert [c.cache for c in trace.calls] == [CacheOutcome.HIT]


async def test_zero_turns_it_off(router: respx.MockRouter) -> None:
    versions = Versions(restaurant, PUBLIC_60)
    route = router.get(RESTAURANTS).mock(side_effect=versions.restaurants)
    async with cached_service(refresh_ahead=0.0) as service:
        menu = MenuClient(service.transport)
        await menu.restaurants(["r_1"], ctx_of())
        service.clock.advance(59)
        await menu.restaurants(["r_1"], ctx_of())
        await service.transport.background_done()
    assert route.call_count == 1
