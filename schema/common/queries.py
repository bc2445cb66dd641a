"""Resolver logic both clients share; the per-client schemas wrap its results in their own types."""

from __future__ import annotations

from dataclasses import dataclass

from clients import (
    ACTIVE_ORDER_STATUSES,
    LatLng,
    MenuItem,
    Order,
    OrderStatus,
    Page,
    Restaurant,
    is_valid_id,
)
from schema.common.geo import delivery_eta_minutes, distance_m
from schema.common.lookahead import at, selection, selects
from schema.common.orders import load_order_relations
from schema.common.pagination import Slice, check_first, fetch_slice
from schema.context import Ctx
from schema.errors import bad_user_input, forbidden, not_found, unauthenticated
from schema.loaders import load, prefetch

ACTIVE_ORDERS_PAGE = 100


def checked_id(value: str, what: str) -> str:
    if not is_valid_id(value):
        raise bad_user_input(f"`{what}` is not a valid id.")
    return value


def viewer_id(info: Ctx) -> str:
    user_id = info.context.user_id
    if user_id is None:
        raise unauthenticated()
    return user_id


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a search was made from, for distances."""

    lat: float
    lng: float

    def distance_to(self, restaurant: Restaurant) -> int | None:
        if restaurant.location is None:
            return None
        return distance_m(self.lat, self.lng, restaurant.location.lat, restaurant.location.lng)

    def delivery_eta(self, restaurant: Restaurant, distance: int | None) -> int | None:
        return delivery_eta_minutes(restaurant.prep_time_minutes, distance)


def checked_origin(lat: float, lng: float) -> Origin:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise bad_user_input("`lat` must be within ±90 and `lng` within ±180.")
    return Origin(lat, lng)


async def restaurant_by_id(info: Ctx, restaurant_id: str) -> Restaurant:
    checked_id(restaurant_id, "id")
    loaders = info.context.loaders
    if selects(info, "menu"):
        # The menu needs only the id we already have: fetch it alongside the restaurant.
        prefetch(loaders.restaurant_menu, restaurant_id)
    restaurant = await load(loaders.restaurant, restaurant_id)
    if restaurant is None:
        raise not_found("Restaurant")
    return restaurant


async def restaurant_menu(info: Ctx, restaurant_id: str) -> list[MenuItem] | None:
    return await load(info.context.loaders.restaurant_menu, restaurant_id)


def menu_sections(items: list[MenuItem]) -> list[tuple[str, list[MenuItem]]]:
    """Items grouped by section: sections in the order of their first item, items in order."""
    sections: dict[str, list[MenuItem]] = {}
    for item in items:
        sections.setdefault(item.section, []).append(item)
    return list(sections.items())


async def order_for_viewer(info: Ctx, order_id: str) -> Order:
    user_id = viewer_id(info)
    checked_id(order_id, "id")
    loaders = info.context.loaders
    if selects(info, "delivery"):
        # Deliveries are keyed by order id: no need to wait for the order to ask for it.
        prefetch(loaders.delivery_by_order, order_id)
    order = await load(loaders.order, order_id)
    if order is None:
        raise not_found("Order")
    if order.customer_id != user_id:
        raise forbidden()
    await load_order_relations(info, [order], selection(info))
    return order


async def nearby_restaurants(
    info: Ctx,
    origin: Origin,
    *,
    first: int | None,
    after: str | None,
    default_first: int,
    max_first: int,
    cuisine: str | None = None,
    open_now: bool | None = None,
) -> Slice[Restaurant]:
    count = check_first(first, default=default_first, maximum=max_first)
    ctx = info.context
    near = LatLng(lat=origin.lat, lng=origin.lng)

    async def fetch(limit: int, cursor: str | None) -> Page[Restaurant]:
        return await ctx.loaders.downstream.menu.nearby_restaurants(
            near, ctx.call, limit=limit, cursor=cursor, cuisine=cuisine, open_now=open_now
        )

    found = await fetch_slice(fetch, count, after)
    for _, restaurant in found.items:
        ctx.loaders.restaurant.prime(restaurant.id, restaurant)
    return found


async def customer_orders(
    info: Ctx,
    *,
    first: int | None,
    after: str | None,
    default_first: int,
    max_first: int,
    status: OrderStatus | None = None,
) -> Slice[Order]:
    user_id = viewer_id(info)
    count = check_first(first, default=default_first, maximum=max_first)
    ctx = info.context
    statuses = (status,) if status is not None else ()

    async def fetch(limit: int, cursor: str | None) -> Page[Order]:
        return await ctx.loaders.downstream.order.customer_orders(
            user_id, ctx.call, limit=limit, cursor=cursor, statuses=statuses
        )

    found = await fetch_slice(fetch, count, after)
    for _, order in found.items:
        ctx.loaders.order.prime(order.id, order)
    orders = [order for _, order in found.items]
    await load_order_relations(info, orders, at(selection(info), "edges", "node"))
    return found


async def active_orders(info: Ctx) -> list[Order]:
    """Every order of the viewer that is neither delivered nor cancelled, newest first."""
    user_id = viewer_id(info)
    ctx = info.context
    orders: list[Order] = []
    cursor: str | None = None
    while True:
        page = await ctx.loaders.downstream.order.customer_orders(
            user_id,
            ctx.call,
            limit=ACTIVE_ORDERS_PAGE,
            cursor=cursor,
            statuses=ACTIVE_ORDER_STATUSES,
        )
        orders.extend(page.items)
        if page.next_cursor is None or not page.items:
            break
        cursor = page.next_cursor
    await load_order_relations(info, orders, selection(info))
    return orders
