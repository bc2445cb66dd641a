"""Fields of orders that both clients show; each client adds its restaurant and item types."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

import strawberry

from clients import Delivery as DeliveryModel
from clients import Order as OrderModel
from clients import OrderLine as OrderLineModel
from clients import OrderStatus
from schema.common.lookahead import Selection, at
from schema.common.money import Money
from schema.common.types import Address, Delivery, StatusChange
from schema.context import Ctx
from schema.loaders import prefetch
from schema.relations import settle, value_now


@strawberry.type
class OrderItemFields:
    quantity: int
    notes: str | None
    unit_price: Money
    line_total: Money

    @staticmethod
    def fields_of(line: OrderLineModel, info: Ctx, wanted: Selection) -> dict[str, Any]:
        """The fields, the formatted amounts only where selected (formatting is the cost)."""
        locale = info.context.locale
        return {
            "quantity": line.quantity,
            "notes": line.notes,
            "unit_price": Money.from_model(line.unit_price, locale)
            if "unitPrice" in wanted
            else None,
            "line_total": Money.from_model(line.line_total, locale)
            if "lineTotal" in wanted
            else None,
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
    delivery: Delivery | None = strawberry.field(description="The delivery, once there is one.")
    eta: datetime | None = strawberry.field(
        description="The delivery's estimated arrival; null without a delivery."
    )
    model: strawberry.Private[OrderModel]

    @staticmethod
    def fields_of(model: OrderModel, info: Ctx, wanted: Selection) -> dict[str, Any]:
        """The shared fields as selected; relations' loads were started ahead."""
        locale = info.context.locale
        deliveries = info.context.loaders.delivery_by_order
        delivery = eta = None
        if "delivery" in wanted:
            inner = at(wanted, "delivery")

            def of_customer(found: DeliveryModel) -> Delivery:
                return Delivery.from_model(
                    found, customer_id=model.customer_id, info=info, wanted=inner
                )

            delivery = value_now(deliveries, model.id, of_customer)
        if "eta" in wanted:
            eta = value_now(deliveries, model.id, _eta)
        return {
            "id": strawberry.ID(model.id),
            "status": model.status,
            "created_at": model.created_at,
            "updated_at": model.updated_at,
            # Unselected fields are never read: they are not built (None stands in).
            "subtotal": Money.from_model(model.subtotal, locale) if "subtotal" in wanted else None,
            "delivery_fee": Money.from_model(model.delivery_fee, locale)
            if "deliveryFee" in wanted
            else None,
            "total": Money.from_model(model.total, locale) if "total" in wanted else None,
            "delivery_address": Address.from_model(
                model.delivery_address, at(wanted, "deliveryAddress")
            )
            if "deliveryAddress" in wanted
            else None,
            "status_history": [StatusChange.from_model(s) for s in model.status_history]
            if "statusHistory" in wanted
            else [],
            "delivery": delivery,
            "eta": eta,
            "model": model,
        }


def restaurant_of(
    model: OrderModel, info: Ctx, wanted: Selection, build: Callable[..., Any]
) -> Any:
    """The order's restaurant as its field's value (``build``: the client's
    ``Restaurant.from_model``), with the fields the order's selection asks of it; None when
    not selected. Its load was started ahead."""
    if "restaurant" not in wanted:
        return None
    convert = partial(build, wanted=at(wanted, "restaurant"))
    return value_now(info.context.loaders.restaurant, model.restaurant_id, convert)


def _eta(delivery: DeliveryModel) -> datetime | None:
    return delivery.eta


async def load_order_relations(info: Ctx, orders: list[OrderModel], wanted: Selection) -> None:
    """Start, for all ``orders`` at once, the loads their selected relations need, and wait.

    Restaurants, menu items and deliveries go out together; each delivery's courier follows
    as soon as that delivery is known (all couriers still batch into one call). The wait ends
    once the couriers' call is out, not answered: what does not depend on them is built in
    the meantime.
    """
    if not orders:
        return
    loaders = info.context.loaders
    waits: list[Awaitable[Any]] = []
    # Deliveries first: their couriers wait for them, so their call is on the critical path,
    # and batches go out in the order they were started (each start costs a few tenths of ms).
    if "delivery" in wanted or "eta" in wanted:
        deliveries = [loaders.delivery_by_order.load(o.id) for o in orders]
        with_courier = "courier" in at(wanted, "delivery")
        waits.append(_couriers_of(info, deliveries) if with_courier else settle(*deliveries))
        # The other relations wait until the deliveries' call is out: starting their loads
        # first (a load each, some sixty per page) would hold that call back.
        await loaders.delivery_by_order.sent()
    if "restaurant" in wanted:
        waits += [loaders.restaurant.load(o.restaurant_id) for o in orders]
    if "menuItem" in at(wanted, "items"):
        waits += [loaders.menu_item.load(line.menu_item_id) for o in orders for line in o.items]
    await settle(*waits)


async def _couriers_of(info: Ctx, deliveries: list[asyncio.Future[DeliveryModel | None]]) -> None:
    # Deliveries of one list arrive in one batch: their couriers then go out in one batch too.
    await settle(*deliveries)
    couriers = info.context.loaders.courier
    found = [d.result() for d in deliveries if not d.cancelled() and d.exception() is None]
    for courier_id in {d.courier_id for d in found if d is not None and d.courier_id is not None}:
        prefetch(couriers, courier_id)
    # Not their answer: the couriers are the last level, and the list is built and completed
    # while their call is in flight (a courier still on its way is its field's to await).
    await couriers.sent()
