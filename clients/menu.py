"""Typed client of the menu service: restaurants and their menu items."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from clients._batch import batch_get, entity_tag
from clients._context import CallContext
from clients._ids import check_id
from clients._models import LatLng, MenuItem, Page, Restaurant, RestaurantMenu
from clients._transport import ServiceTransport
from clients.events import ServiceEvent

MAX_RESTAURANT_IDS = 100
MAX_MENU_ITEM_IDS = 100
RESTAURANTS = "GET /v1/restaurants"
MENU_ITEMS = "GET /v1/menu-items"
NEARBY = "nearby"


def menu_tag(restaurant_id: str) -> str:
    return f"menu:{restaurant_id}"


class MenuClient:
    def __init__(self, transport: ServiceTransport) -> None:
        self.transport = transport

    async def restaurants(self, ids: Iterable[str], ctx: CallContext) -> dict[str, Restaurant]:
        return await batch_get(
            self.transport,
            "/v1/restaurants",
            param="ids",
            ids=ids,
            max_ids=MAX_RESTAURANT_IDS,
            model=Restaurant,
            key=attrgetter("id"),
            ctx=ctx,
        )

    async def restaurant(self, restaurant_id: str, ctx: CallContext) -> Restaurant:
        response = await self.transport.get(
            f"/v1/restaurants/{check_id(restaurant_id)}",
            ctx,
            route="GET /v1/restaurants/{id}",
            tags=[entity_tag(RESTAURANTS, restaurant_id)],
        )
        return response.decode(self.transport.service, Restaurant)

    async def menu(self, restaurant_id: str, ctx: CallContext) -> list[MenuItem]:
        """The restaurant's items in menu order; raises ``NotFoundError`` for an unknown one."""
        response = await self.transport.get(
            f"/v1/restaurants/{check_id(restaurant_id)}/menu",
            ctx,
            route="GET /v1/restaurants/{id}/menu",
            tags=[menu_tag(restaurant_id)],
        )
        return response.decode(self.transport.service, RestaurantMenu).items

    async def menu_items(self, ids: Iterable[str], ctx: CallContext) -> dict[str, MenuItem]:
        return await batch_get(
            self.transport,
            "/v1/menu-items",
            param="ids",
            ids=ids,
            max_ids=MAX_MENU_ITEM_IDS,
            model=MenuItem,
            key=attrgetter("id"),
            ctx=ctx,
        )

    async def nearby_restaurants(
        self,
        near: LatLng,
        ctx: CallContext,
        *,
        limit: int,
        cursor: str | None = None,
        radius_m: int | None = None,
        cuisine: str | None = None,
        open_now: bool | None = None,
    ) -> Page[Restaurant]:
        """One page of restaurants nearest first; the filters are repeated with every cursor."""
        # Fixed-point (never scientific notation); 7 decimals is about a centimetre.
        params = {"near": f"{_coordinate(near.lat)},{_coordinate(near.lng)}", "limit": str(limit)}
        if radius_m is not None:
            params["radius_m"] = str(radius_m)
        if cuisine:
            params["cuisine"] = cuisine
        if open_now:
            params["open_now"] = "true"
        if cursor is not None:
            params["cursor"] = cursor
        response = await self.transport.get(
            "/v1/restaurants", ctx, params=params, route="GET /v1/restaurants?near", tags=[NEARBY]
        )
        return response.decode(self.transport.service, Page[Restaurant])

    async def invalidate(self, event: ServiceEvent) -> int:
        """Evict what a ``menu_item.updated`` or ``restaurant.updated`` event made stale."""
        cache = self.transport.cache
        if cache is None:
            return 0
        data = event.data
        tags: list[str] = []
        if event.type == "menu_item.updated" and isinstance(data.get("menu_item_id"), str):
            tags.append(entity_tag(MENU_ITEMS, data["menu_item_id"]))
            if isinstance(data.get("restaurant_id"), str):
                tags.append(menu_tag(data["restaurant_id"]))
        elif event.type == "restaurant.updated" and isinstance(data.get("restaurant_id"), str):
            tags += [entity_tag(RESTAURANTS, data["restaurant_id"]), NEARBY]
        return await cache.invalidate(tags) if tags else 0


def _coordinate(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")
