"""Fields of orders that both clients show; each client adds its restaurant and item types."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from clients import Delivery as DeliveryModel
from clients import Order as OrderModel
from clients import OrderLine as OrderLineModel
from clients import OrderStatus
from schema.common.lookahead import Selection, at
from schema.common.money import Money
from schema.common.types import Address, Delivery, StatusChange
from schema.context import Ctx, RequestContext
from schema.relations import resolve_now, settle


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
    def delivery(self, info: Info[RequestContext, None]) -> Delivery | None:
        customer_id = self.model.customer_id

        def of_customer(delivery: DeliveryModel) -> Delivery:
            return Delivery.from_model(delivery, customer_id=customer_id)

        loader = info.context.loaders.delivery_by_order
        return resolve_now(loader, self.model.id, of_customer)  # type: ignore[return-value]

    @strawberry.field(description="The delivery's estimated arrival; null without a delivery.")
    def eta(self, info: Info[RequestContext, None]) -> datetime | None:
        loader = info.context.loaders.delivery_by_order
        return resolve_now(loader, self.model.id, _eta)  # type: ignore[return-value, arg-type]

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


def _eta(delivery: DeliveryModel) -> datetime | None:
    return delivery.eta


async def load_order_relations(info: Ctx, orders: list[OrderModel], wanted: Selection) -> None:
    """Start, for all ``orders`` at once, the loads their selected relations need, and wait.

    Restaurants, menu items and deliveries go out together; each delivery's courier follows
    as soon as that delivery is known (all couriers still batch into one call).
    """
    if not orders:
        return
    loaders = info.context.loaders
    waits: list[Awaitable[Any]] = []
    if "restaurant" in wanted:
        waits += [loaders.restaurant.load(o.restaurant_id) for o in orders]
    if "menuItem" in at(wanted, "items"):
        waits += [loaders.menu_item.load(line.menu_item_id) for o in orders for line in o.items]
    if "delivery" in wanted or "eta" in wanted:
        with_courier = "courier" in at(wanted, "delivery")
        for order in orders:
            delivery = loaders.delivery_by_order.load(order.id)
            waits.append(_courier_of(info, delivery) if with_courier else delivery)
    await settle(*waits)


async def _courier_of(info: Ctx, delivery: Awaitable[DeliveryModel | None]) -> None:
    found = await delivery
    if found is not None and found.courier_id is not None:
        await info.context.loaders.courier.load(found.courier_id)
