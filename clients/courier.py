"""Typed client of the courier service: deliveries and couriers."""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter

from clients._batch import batch_get
from clients._context import CallContext
from clients._ids import check_id
from clients._models import Courier, Delivery
from clients._transport import ServiceTransport

MAX_ORDER_IDS = 100
MAX_COURIER_IDS = 100


class CourierClient:
    def __init__(self, transport: ServiceTransport) -> None:
        self.transport = transport

    async def deliveries_for_orders(
        self, order_ids: Iterable[str], ctx: CallContext
    ) -> dict[str, Delivery]:
        """Deliveries keyed by order id; an order without a delivery yet is absent."""
        return await batch_get(
            self.transport,
            "/v1/deliveries",
            param="order_ids",
            ids=order_ids,
            max_ids=MAX_ORDER_IDS,
            model=Delivery,
            key=attrgetter("order_id"),
            ctx=ctx,
        )

    async def delivery(self, delivery_id: str, ctx: CallContext) -> Delivery:
        response = await self.transport.get(
            f"/v1/deliveries/{check_id(delivery_id)}", ctx, route="GET /v1/deliveries/{id}"
        )
        return response.decode(self.transport.service, Delivery)

    async def couriers(self, ids: Iterable[str], ctx: CallContext) -> dict[str, Courier]:
        return await batch_get(
            self.transport,
            "/v1/couriers",
            param="ids",
            ids=ids,
            max_ids=MAX_COURIER_IDS,
            model=Courier,
            key=attrgetter("id"),
            ctx=ctx,
        )
