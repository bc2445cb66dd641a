"""Typed client of the order service: customers' orders, placing and cancelling them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter

import msgspec

from clients._batch import batch_get
from clients._context import CallContext
from clients._ids import check_id
from clients._models import Order, OrderStatus, Page, PlaceOrderRequest
from clients._retry import RetryPolicy
from clients._transport import ServiceTransport

MAX_ORDER_IDS = 50


class OrderClient:
    def __init__(
        self, transport: ServiceTransport, place_order_retry: RetryPolicy | None = None
    ) -> None:
        self.transport = transport
        self.place_order_retry = place_order_retry or RetryPolicy()

    async def orders(self, ids: Iterable[str], ctx: CallContext) -> dict[str, Order]:
        return await batch_get(
            self.transport,
            "/v1/orders",
            param="ids",
            ids=ids,
            max_ids=MAX_ORDER_IDS,
            model=Order,
            key=attrgetter("id"),
            ctx=ctx,
        )

    async def order(self, order_id: str, ctx: CallContext) -> Order:
        response = await self.transport.get(
            f"/v1/orders/{check_id(order_id)}", ctx, route="GET /v1/orders/{id}"
        )
        return response.decode(self.transport.service, Order)

    async def customer_orders(
        self,
        customer_id: str,
        ctx: CallContext,
        *,
        limit: int,
        cursor: str | None = None,
        statuses: Sequence[OrderStatus] = (),
    ) -> Page[Order]:
        """One page of the customer's orders, newest first; filters repeat with every cursor."""
        params = {"customer_id": check_id(customer_id), "limit": str(limit)}
        if statuses:
            params["status"] = ",".join(s.value for s in statuses)
        if cursor is not None:
            params["cursor"] = cursor
        response = await self.transport.get(
            "/v1/orders", ctx, params=params, route="GET /v1/orders?customer_id"
        )
        return response.decode(self.transport.service, Page[Order])

    async def place_order(
        self, request: PlaceOrderRequest, idempotency_key: str, ctx: CallContext
    ) -> Order:
        response = await self.transport.post(
            "/v1/orders",
            ctx,
            body=msgspec.to_builtins(request),
            headers={"Idempotency-Key": idempotency_key},
            # The key makes a repeat return the same order, so a lost answer can be asked again.
            retry=self.place_order_retry,
            route="POST /v1/orders",
        )
        return response.decode(self.transport.service, Order)

    async def cancel_order(self, order_id: str, reason: str | None, ctx: CallContext) -> Order:
        response = await self.transport.post(
            f"/v1/orders/{check_id(order_id)}/cancel",
            ctx,
            body={"reason": reason},
            route="POST /v1/orders/{id}/cancel",
        )
        return response.decode(self.transport.service, Order)
