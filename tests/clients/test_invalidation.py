"""Menu events evict what they made stale: the entity, batch answers holding it, and the lists
it appears in; everything else stays cached."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

from clients import LatLng, MenuClient
from clients.events import ServiceEvent
from tests.clients.caching import PUBLIC_60, CachedService, cached_service, ctx_of, ids_of
from tests.clients.payloads import MENU_URL, menu_item, restaurant

RESTAURANTS = f"{MENU_URL}/v1/restaurants"
MENU_ITEMS = f"{MENU_URL}/v1/menu-items"
LISBON = LatLng(lat=38.71, lng=-9.14)


def _echo(factory: Callable[[str], dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        items = [factory(i) for i in ids_of(request)]
        return httpx.Response(200, headers=PUBLIC_60, json={"items": items})

    return answer


@pytest.fixture
async def service(router: respx.MockRouter) -> AsyncIterator[CachedService]:
    async with cached_service() as cached:
        yield cached


@pytest.fixture
def menu(service: CachedService) -> MenuClient:
    return MenuClient(service.transport)


async def _batch_answer_is_cached(service: CachedService, path: str, ids: str) -> bool:
    return await service.cache.lookup(f"{path}?ids={ids}", None) is not None


async def test_menu_item_update_evicts_the_item_its_batches_and_its_menu(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    items = router.get(MENU_ITEMS).mock(side_effect=_echo(menu_item))
    r1_menu = router.get(f"{RESTAURANTS}/r_1/menu").respond(
        200, headers=PUBLIC_60, json={"restaurant_id": "r_1", "items": [menu_item("m_1")]}
    )
    r2_menu = router.get(f"{RESTAURANTS}/r_2/menu").respond(
        200, headers=PUBLIC_60, json={"restaurant_id": "r_2", "items": [menu_item("m_7", "r_2")]}
    )
    await menu.menu_items(["m_1", "m_2"], ctx_of())
    await menu.menu_items(["m_3"], ctx_of())
    await menu.menu("r_1", ctx_of())
    await menu.menu("r_2", ctx_of())
    assert await _batch_answer_is_cached(service, "/v1/menu-items", "m_1,m_2")

    evicted = await menu.invalidate(
        ServiceEvent("menu_item.updated", {"menu_item_id": "m_1", "restaurant_id": "r_1"})
    )

    assert evicted >= 3  # the m_1 entity, the m_1,m_2 batch answer, r_1's menu
    assert not await _batch_answer_is_cached(service, "/v1/menu-items", "m_1,m_2")
    assert await _batch_answer_is_cached(service, "/v1/menu-items", "m_3")
    found = await menu.menu_items(["m_1", "m_2", "m_3"], ctx_of())
    assert set(found) == {"m_1", "m_2", "m_3"}
    assert ids_of(items.calls.last.request) == ["m_1"]  # m_2 and m_3 are still cached
    await menu.menu("r_1", ctx_of())
    await menu.menu("r_2", ctx_of())
    assert (r1_menu.call_count, r2_menu.call_count) == (2, 1)
    assert service.cache.stats.invalidations == evicted


async def test_restaurant_update_evicts_the_restaurant_and_nearby_lists(
    router: respx.MockRouter, menu: MenuClient, service: CachedService
) -> None:
    batch = router.get(RESTAURANTS, params__eq={"ids": "r_1,r_2"}).mock(
        side_effect=_echo(restaurant)
    )
    refetch = router.get(RESTAURANTS, params__eq={"ids": "r_1"}).mock(side_effect=_echo(restaurant))
    nearby = router.get(RESTAURANTS, params__contains={"near": "38.71,-9.14"}).respond(
        200, headers=PUBLIC_60, json={"items": [restaurant("r_9")], "next_cursor": None}
    )
    single = {
        rid: router.get(f"{RESTAURANTS}/{rid}").respond(
            200, headers=PUBLIC_60, json=restaurant(rid)
        )
        for rid in ("r_1", "r_2")
    }
    await menu.restaurants(["r_1", "r_2"], ctx_of())
    await menu.restaurant("r_1", ctx_of())
    await menu.restaurant("r_2", ctx_of())
    await menu.nearby_restaurants(LISBON, ctx_of(), limit=10)

    evicted = await menu.invalidate(ServiceEvent("restaurant.updated", {"restaurant_id": "r_1"}))

    assert evicted >= 4
    assert set(await menu.restaurants(["r_1", "r_2"], ctx_of())) == {"r_1", "r_2"}
    assert (batch.call_count, refetch.call_count) == (1, 1)  # only r_1 was asked for again
    await menu.restaurant("r_1", ctx_of())
    await menu.restaurant("r_2", ctx_of())
    assert (single["r_1"].call_count, single["r_2"].call_count) == (2, 1)
    await menu.nearby_restaurants(LISBON, ctx_of(), limit=10)
    assert nearby.call_count == 2


@pytest.mark.parametrize(
    "event",
    [
        ServiceEvent("order.created", {"order_id": "o_1"}),
        ServiceEvent("menu_item.updated", {"menu_item_id": 7}),
        ServiceEvent("restaurant.updated", {}),
    ],
    ids=["other-service", "bad-id", "no-id"],
)
async def test_unrelated_or_malformed_events_evict_nothing(
    router: respx.MockRouter, menu: MenuClient, event: ServiceEvent
) -> None:
    route = router.get(MENU_ITEMS).mock(side_effect=_echo(menu_item))
    await menu.menu_items(["m_1"], ctx_of())
    assert await menu.invalidate(event) == 0
    await menu.menu_items(["m_1"], ctx_of())
    assert route.call_count == 1
