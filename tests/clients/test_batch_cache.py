"""Batch gets are cached per entity: only ids without a fresh entity are asked for, and expired
entities stand in for what a failing service cannot give."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from clients import CacheOutcome, CallTrace, CourierClient, MenuClient, PartialBatch
from tests.clients.caching import PUBLIC_60, CachedService, cached_service, ctx_of, ids_of
from tests.clients.payloads import MENU_URL, courier, restaurant

RESTAURANTS = f"{MENU_URL}/v1/restaurants"


def _echo(
    factory: Callable[[str], dict[str, Any]], headers: dict[str, str] = PUBLIC_60
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers=headers, json={"items": [factory(i) for i in ids_of(request)]}
        )

    return answer


@pytest.fixture
async def service(router: respx.MockRouter) -> AsyncIterator[CachedService]:
    async with cached_service() as cached:
        yield cached


@pytest.fixture
def menu(service: CachedService) -> MenuClient:
    return MenuClient(service.transport)


async def test_only_ids_without_a_fresh_entity_are_asked_for(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    first = [f"r_{n}" for n in range(20)]
    await menu.restaurants(first, ctx_of())

    second = [*first[2:], "r_20", "r_21"]
    trace = CallTrace()
    found = await menu.restaurants(second, ctx_of("u_7", trace=trace))

    assert route.call_count == 2
    assert ids_of(route.calls.last.request) == ["r_20", "r_21"]
    assert set(found) == set(second)
    assert all(found[i].id == i for i in second)
    hit, miss = trace.calls
    assert (hit.cache, hit.batch_size) == (CacheOutcome.HIT, 18)
    assert (miss.cache, miss.batch_size) == (CacheOutcome.MISS, 2)


async def test_a_batch_of_cached_entities_makes_no_request(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1", "r_2", "r_3"], ctx_of())
    found = await menu.restaurants(["r_3", "r_1"], ctx_of("u_2"))
    assert route.call_count == 1
    assert set(found) == {"r_1", "r_3"}


async def test_expired_entities_are_fetched_again(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1", "r_2"], ctx_of())
    service.clock.advance(61)
    await menu.restaurants(["r_1", "r_3"], ctx_of())
    assert ids_of(route.calls.last.request) == ["r_1", "r_3"]


async def test_expired_entities_are_served_stale_when_the_service_fails(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1", "r_2", "r_3"], ctx_of())
    service.clock.advance(100)
    route.mock(side_effect=None, return_value=httpx.Response(503))

    trace = CallTrace()
    found = await menu.restaurants(["r_2", "r_1"], ctx_of(trace=trace))

    assert set(found) == {"r_1", "r_2"}
    assert found["r_1"].name == "Restaurant r_1"
    stale = [c for c in trace.calls if c.cache is CacheOutcome.STALE]
    assert len(stale) == 1
    assert stale[0].batch_size == 2
    assert stale[0].stale_age_s == pytest.approx(100)
    assert service.cache.stats.stale_served == 2


async def test_partial_batch_holds_fresh_and_stale_entities(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1", "r_2"], ctx_of())
    service.clock.advance(61)
    await menu.restaurants(["r_5"], ctx_of())  # fresh: fetched after the others expired
    route.mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(PartialBatch) as partial:
        await menu.restaurants(["r_1", "r_5", "r_9"], ctx_of())

    assert set(partial.value.found) == {"r_1", "r_5"}
    assert sorted(ids_of(route.calls.last.request)) == ["r_1", "r_9"]
    assert partial.value.service == "menu"


async def test_beyond_the_stale_window_a_failing_batch_raises(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    route = router.get(RESTAURANTS).mock(side_effect=_echo(restaurant))
    await menu.restaurants(["r_1"], ctx_of())
    service.clock.advance(60 + service.cache.stale_if_error_s + 1)
    route.mock(side_effect=None, return_value=httpx.Response(502))

    with pytest.raises(PartialBatch) as partial:
        await menu.restaurants(["r_1", "r_2"], ctx_of())
    assert partial.value.found == {}


async def test_unstorable_batch_answers_keep_no_entities(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    route = router.get(RESTAURANTS).mock(
        side_effect=_echo(restaurant, {"Cache-Control": "private, no-store"})
    )
    await menu.restaurants(["r_1", "r_2"], ctx_of("u_1"))
    await menu.restaurants(["r_1"], ctx_of("u_1"))
    assert route.call_count == 2


async def test_private_entities_are_kept_per_user(router: respx.MockRouter) -> None:
    async with cached_service() as service:
        couriers = CourierClient(service.transport)
        route = router.get(f"{MENU_URL}/v1/couriers").mock(
            side_effect=_echo(courier, {"Cache-Control": "private, max-age=30"})
        )
        await couriers.couriers(["c_1", "c_2"], ctx_of("u_1"))
        await couriers.couriers(["c_2"], ctx_of("u_1"))
        assert route.call_count == 1
        await couriers.couriers(["c_2"], ctx_of("u_2"))
        assert route.call_count == 2
        assert route.calls.last.request.headers["X-User-Id"] == "u_2"
