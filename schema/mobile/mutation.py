"""The mobile schema's mutations: placing and cancelling the customer's orders."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from schema.common import ordering
from schema.common.lookahead import at, selection
from schema.common.ordering import OrderPayload, PlaceOrderInput
from schema.common.orders import load_order_relations
from schema.context import RequestContext
from schema.mobile.types import Order

Ctx = Info[RequestContext, None]


@strawberry.type(name="PlaceOrderPayload")
class PlaceOrderPayload(OrderPayload[Order]):
    pass


@strawberry.type(name="CancelOrderPayload")
class CancelOrderPayload(OrderPayload[Order]):
    pass


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Place an order for the signed-in customer; safe to retry.")
    async def place_order(self, info: Ctx, input: PlaceOrderInput) -> PlaceOrderPayload | None:
        outcome = await ordering.place_order(info, input)
        return PlaceOrderPayload(order=await _order(info, outcome), user_errors=outcome.user_errors)

    @strawberry.mutation(description="Cancel one of the signed-in customer's orders.")
    async def cancel_order(
        self, info: Ctx, id: strawberry.ID, reason: str | None = None
    ) -> CancelOrderPayload | None:
        outcome = await ordering.cancel_order(info, id, reason)
        return CancelOrderPayload(
            order=await _order(info, outcome), user_errors=outcome.user_errors
        )


async def _order(info: Ctx, outcome: ordering.Outcome) -> Order | None:
    if outcome.order is None:
        return None
    wanted = at(selection(info), "order")
    await load_order_relations(info, [outcome.order], wanted)
    return Order.from_model(outcome.order, info, wanted)
