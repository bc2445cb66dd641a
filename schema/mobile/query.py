"""The mobile schema's root query: what the app's screens ask for."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.common import queries
from schema.common.lookahead import at, selection
from schema.common.pagination import Connection
from schema.context import RequestContext
from schema.mobile.types import Order, Restaurant

MAX_FIRST = 50

Ctx = Info[RequestContext, None]


@strawberry.type(description="The signed-in customer.")
class Me:
    id: strawberry.ID

    @strawberry.field(description="Orders neither delivered nor cancelled, newest first.")
    async def active_orders(self, info: Ctx) -> list[Order] | None:
        orders = await queries.active_orders(info)
        wanted = selection(info)
        return [Order.from_model(o, info, wanted) for o in orders]

    @strawberry.field(description="The customer's orders, newest first.")
    async def orders(
        self, info: Ctx, first: int | None = 20, after: str | None = None
    ) -> Connection[Order] | None:
        found = await queries.customer_orders(
            info, first=first, after=after, default_first=20, max_first=MAX_FIRST
        )
        edges = at(selection(info), "edges")
        wanted = at(edges, "node")
        return found.connection(
            lambda order: Order.from_model(order, info, wanted), edge_cursors="cursor" in edges
        )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in customer; null with UNAUTHENTICATED without.")
    def me(self, info: Ctx) -> Me | None:
        return Me(id=strawberry.ID(queries.viewer_id(info)))

    @strawberry.field(description="Restaurants nearest first.")
    async def nearby_restaurants(
        self,
        info: Ctx,
        lat: float,
        lng: float,
        first: int | None = 10,
        after: str | None = None,
        cuisine: str | None = None,
        open_now: bool | None = None,
    ) -> Connection[Restaurant] | None:
        origin = queries.checked_origin(lat, lng)
        found = await queries.nearby_restaurants(
            info,
            origin,
            first=first,
            after=after,
            default_first=10,
            max_first=MAX_FIRST,
            cuisine=cuisine,
            open_now=open_now,
        )
        node = at(selection(info), "edges", "node")
        return found.connection(lambda r: Restaurant.from_model(r, origin, node))

    @strawberry.field
    async def restaurant(self, info: Ctx, id: strawberry.ID) -> Restaurant | None:
        found = await queries.restaurant_by_id(info, id)
        return Restaurant.from_model(found, wanted=selection(info))

    @strawberry.field(description="One of the signed-in customer's orders.")
    async def order(self, info: Ctx, id: strawberry.ID) -> Order | None:
        order = await queries.order_for_viewer(info, id)
        return Order.from_model(order, info, selection(info))
