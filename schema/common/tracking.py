"""Live order tracking: the current state first, then one update per event, until it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace

import strawberry
from strawberry.types import Info

from clients import (
    FINAL_ORDER_STATUSES,
    CallContext,
    DownstreamError,
    NotFoundError,
    OrderStatus,
)
from clients import Delivery as DeliveryModel
from clients import Order as OrderModel
from schema.common.lookahead import at, selection
from schema.common.queries import checked_id
from schema.common.types import Delivery
from schema.context import DeliveryChanged, RequestContext, Resync, StatusChanged
from schema.errors import (
    CodedError,
    ErrorCode,
    coded_error_for,
    forbidden,
    not_found,
    unauthenticated,
)

Ctx = Info[RequestContext, None]


@strawberry.type(description="The state of a tracked order after a change.")
class OrderUpdate:
    order_id: strawberry.ID
    status: OrderStatus
    delivery: Delivery | None


def subscriber_id(info: Ctx) -> str:
    """The customer, from the request's token or the WebSocket's ``connection_init`` payload."""
    ctx = info.context
    if ctx.user_id is not None:
        return ctx.user_id
    params = ctx.connection_params
    if isinstance(params, dict):
        authorization = params.get("Authorization") or params.get("authorization")
        if isinstance(authorization, str):
            user_id = ctx.identify(authorization)
            if user_id is not None:
                return user_id
    raise unauthenticated()


class _Tracked:
    """What the subscriber has been sent so far."""

    def __init__(self, order: OrderModel, delivery: DeliveryModel | None) -> None:
        self.order_id = order.id
        self.customer_id = order.customer_id
        self.status = order.status
        self.delivery = delivery

    def update(self, info: Ctx) -> OrderUpdate:
        delivery = None
        if self.delivery is not None:
            wanted = at(selection(info), "delivery")
            delivery = Delivery.from_model(
                self.delivery, customer_id=self.customer_id, info=info, wanted=wanted
            )
        return OrderUpdate(
            order_id=strawberry.ID(self.order_id), status=self.status, delivery=delivery
        )

    def snapshot(self) -> tuple[OrderStatus, DeliveryModel | None]:
        return self.status, self.delivery

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_ORDER_STATUSES


def _live(info: Ctx) -> CallContext:
    return replace(info.context.call, bypass_cache=True)


async def _fetch(info: Ctx, order_id: str) -> tuple[OrderModel, DeliveryModel | None]:
    downstream = info.context.loaders.downstream
    order, deliveries = await asyncio.gather(
        downstream.order.order(order_id, _live(info)),
        downstream.courier.deliveries_for_orders([order_id], _live(info)),
    )
    return order, deliveries.get(order_id)


async def _latest_delivery(
    info: Ctx, order_id: str, known: DeliveryModel | None
) -> DeliveryModel | None:
    ctx = info.context
    try:
        found = await ctx.loaders.downstream.courier.deliveries_for_orders([order_id], _live(info))
    except DownstreamError:
        return known
    return found.get(order_id, known)


async def order_updates(info: Ctx, order_id: str) -> AsyncGenerator[OrderUpdate, None]:
    try:
        async for update in _order_updates(info, order_id):
            yield update
    except CodedError:
        raise
    except DownstreamError as error:
        fallback = CodedError("Tracking failed; subscribe again.", ErrorCode.DOWNSTREAM_UNAVAILABLE)
        raise coded_error_for(error) or fallback from None


async def _order_updates(info: Ctx, order_id: str) -> AsyncGenerator[OrderUpdate, None]:
    user_id = subscriber_id(info)
    checked_id(order_id, "orderId")
    events = info.context.order_events
    if events is None:
        raise CodedError("Live tracking is not available here.", ErrorCode.DOWNSTREAM_UNAVAILABLE)
    try:
        order = await info.context.loaders.downstream.order.order(order_id, info.context.call)
    except NotFoundError:
        raise not_found("Order") from None
    if order.customer_id != user_id:
        raise forbidden()
    # Subscribe before reading the state, so that nothing happening in between is missed.
    with events.subscribe(order_id) as feed:
        tracked = _Tracked(*await _fetch(info, order_id))
        yield tracked.update(info)
        while not tracked.is_final:
            signal = await feed.next()
            if isinstance(signal, StatusChanged):
                tracked.status = signal.status
                if tracked.is_final:
                    # The last update should not show a delivery lagging behind the order.
                    tracked.delivery = await _latest_delivery(info, order_id, tracked.delivery)
            elif isinstance(signal, DeliveryChanged):
                tracked.delivery = signal.delivery
            elif isinstance(signal, Resync):
                before = tracked.snapshot()
                tracked = _Tracked(*await _fetch(info, order_id))
                if tracked.snapshot() == before:
                    continue  # Nothing was missed after all.
            yield tracked.update(info)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Live updates of one of the customer's orders.")
    async def order_updates(
        self, info: Ctx, order_id: strawberry.ID
    ) -> AsyncGenerator[OrderUpdate, None]:
        async for update in order_updates(info, order_id):
            yield update
