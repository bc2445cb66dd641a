"""Fields of orders that both clients show; each client adds its restaurant and item types."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from clients import Order as OrderModel
from clients import OrderLine as OrderLineModel
from clients import OrderStatus
from schema.common.money import Money
from schema.common.queries import Ctx
from schema.common.types import Address, Delivery, StatusChange
from schema.context import RequestContext
from schema.loaders import load


@strawberry.type
class OrderItemFields:
    quantity: int
    notes: str | None
    unit_price: Money
    line_total: Money
    menu_item_id: strawberry.Private[str]

    @staticmethod
    def fields_of(line: OrderLineModel, info: Ctx) -> dict[str, Any]:
        locale = info.context.locale
        return {
            "quantity": line.quantity,
            "notes": line.notes,
            "unit_price": Money.from_model(line.unit_price, locale),
            "line_total": Money.from_model(line.line_total, locale),
            "menu_item_id": line.menu_item_id,
        }


@strawberry.type
class OrderFields:
    id: strawberry.ID
    status: OrderStatus
    created_at: datetime
    updated_at: datetime | None
    subtotal: Money
    delivery_fee: Money
    total: Money
    delivery_address: Address | None
    status_history: list[StatusChange]
    model: strawberry.Private[OrderModel]

    @strawberry.field(description="The delivery, once the order has one.")
    async def delivery(self, info: Info[RequestContext, None]) -> Delivery | None:
        delivery = await load(info.context.loaders.delivery_by_order, self.model.id)
        if delivery is None:
            return None
        return Delivery.from_model(delivery, customer_id=self.model.customer_id)

    @strawberry.field(description="The delivery's estimated arrival; null without a delivery.")
    async def eta(self, info: Info[RequestContext, None]) -> datetime | None:
        delivery = await load(info.context.loaders.delivery_by_order, self.model.id)
        return None if delivery is None else delivery.eta

    @staticmethod
    def fields_of(model: OrderModel, info: Ctx) -> dict[str, Any]:
        locale = info.context.locale
        return {
            "id": strawberry.ID(model.id),
            "status": model.status,
            "created_at": model.created_at,
            "updated_at": model.updated_at,
            "subtotal": Money.from_model(model.subtotal, locale),
            "delivery_fee": Money.from_model(model.delivery_fee, locale),
            "total": Money.from_model(model.total, locale),
            "delivery_address": Address.from_model(model.delivery_address),
            "status_history": [StatusChange.from_model(s) for s in model.status_history],
            "model": model,
        }
