"""Typed client of the menu service: restaurants and their menu items."""

from __future__ import annotations

from collections.abc import Iterable

from clients._batch import batch_get
from clients._context import CallContext
from clients._ids import check_id
from clients._models import LatLng, MenuItem, Page, Restaurant, RestaurantMenu
from clients._transport import ServiceTransport

MAX_RESTAURANT_IDS = 100
MAX_MENU_ITEM_IDS = 100


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
            key=lambda r: r.id,
            ctx=ctx,
        )

    async def restaurant(self, restaurant_id: str, ctx: CallContext) -> Restaurant:
        response = await self.transport.get(f"/v1/restaurants/{check_id(restaurant_id)}", ctx)
        return response.decode(self.transport.service, Restaurant)

    async def menu(self, restaurant_id: str, ctx: CallContext) -> list[MenuItem]:
        """The restaurant's items in menu order; raises ``NotFoundError`` for an unknown one."""
        response = await self.transport.get(f"/v1/restaurants/{check_id(restaurant_id)}/menu", ctx)
        return response.decode(self.transport.service, RestaurantMenu).items

    async def menu_items(self, ids: Iterable[str], ctx: CallContext) -> dict[str, MenuItem]:
        return await batch_get(
            self.transport,
            "/v1/menu-items",
            param="ids",
            ids=ids,
            max_ids=MAX_MENU_ITEM_IDS,
            model=MenuItem,
            key=lambda m: m.id,
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
        response = await self.transport.get("/v1/restaurants", ctx, params=params)
        return response.decode(self.transport.service, Page[Restaurant])


def _coordinate(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")
