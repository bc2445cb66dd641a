"""The mutable state the three mock services share, and the changes that emit their events."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mocks.events import EventLog
from mocks.geo import LatLng, haversine_m
from mocks.models import (
    CANCELLABLE,
    FINAL_STATUSES,
    ORDER_FLOW,
    Courier,
    Delivery,
    MenuItem,
    Order,
    OrderLine,
    Restaurant,
    rfc3339,
)
from mocks.problems import ProblemError

DELIVERY_FEE = 199
RIDE_SPEED_M_PER_S = 250 / 60  # 15 km/h
NEAR_CUSTOMER_M = 300

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class PlacedLine:
    menu_item_id: str
    quantity: int
    notes: str | None


@dataclass(frozen=True)
class OrderRequest:
    """A validated `POST /v1/orders` body."""

    customer_id: str
    restaurant_id: str
    lines: tuple[PlacedLine, ...]
    delivery_address: dict[str, Any]


@dataclass
class World:
    """Everything the mocks serve; one instance is shared by the apps of one process."""

    clock: Clock = utc_now
    restaurants: dict[str, Restaurant] = field(default_factory=dict)
    menu_items: dict[str, MenuItem] = field(default_factory=dict)
    menus: dict[str, list[str]] = field(default_factory=dict)
    couriers: dict[str, Courier] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    delivery_of_order: dict[str, str] = field(default_factory=dict)
    idempotency: dict[str, tuple[Any, str]] = field(default_factory=dict)
    events: dict[str, EventLog] = field(
        default_factory=lambda: {name: EventLog() for name in ("menu", "order", "courier")}
    )

    def now(self) -> datetime:
        return self.clock()

    # -- reads ----------------------------------------------------------------------------

    def orders_of(self, customer_id: str) -> list[Order]:
        """A customer's orders, newest first."""
        mine = [o for o in self.orders.values() if o.customer_id == customer_id]
        return sorted(mine, key=lambda o: o.seq, reverse=True)

    def delivery_for(self, order_id: str) -> Delivery | None:
        delivery_id = self.delivery_of_order.get(order_id)
        return self.deliveries.get(delivery_id) if delivery_id else None

    # -- menu -----------------------------------------------------------------------------

    def set_price(self, item: MenuItem, amount: int) -> None:
        item.price = amount
        item.updated_at = self._bump(item.updated_at)
        self.events["menu"].append(
            "menu_item.updated",
            {
                "menu_item_id": item.id,
                "restaurant_id": item.restaurant_id,
                "at": rfc3339(item.updated_at),
            },
        )

    def update_restaurant(
        self, restaurant: Restaurant, *, is_open: bool | None, name: str | None
    ) -> None:
        if is_open is not None:
            restaurant.is_open = is_open
        if name is not None:
            restaurant.name = name
        restaurant.updated_at = self._bump(restaurant.updated_at)
        self.events["menu"].append(
            "restaurant.updated",
            {"restaurant_id": restaurant.id, "at": rfc3339(restaurant.updated_at)},
        )

    def _bump(self, previous: datetime) -> datetime:
        # updated_at has second precision; keep it strictly increasing so ETags always change.
        return max(self.now(), previous + timedelta(seconds=1))

    # -- orders ---------------------------------------------------------------------------

    def place_order(self, request: OrderRequest) -> Order:
        now = self.now()
        seq = max((o.seq for o in self.orders.values()), default=0) + 1
        order_id = f"o_{seq}"
        while order_id in self.orders:
            seq += 1
            order_id = f"o_{seq}"
        lines = [
            OrderLine(
                menu_item_id=line.menu_item_id,
                name=self.menu_items[line.menu_item_id].name,
                quantity=line.quantity,
                unit_price=self.menu_items[line.menu_item_id].price,
                notes=line.notes,
            )
            for line in request.lines
        ]
        order = Order(
            id=order_id,
            seq=seq,
            customer_id=request.customer_id,
            restaurant_id=request.restaurant_id,
            status="PLACED",
            lines=lines,
            delivery_fee=DELIVERY_FEE,
            delivery_address=request.delivery_address,
            status_history=[("PLACED", now)],
            created_at=now,
            updated_at=now,
        )
        self.orders[order.id] = order
        self.events["order"].append(
            "order.created",
            {
                "order_id": order.id,
                "customer_id": order.customer_id,
                "restaurant_id": order.restaurant_id,
                "at": rfc3339(now),
            },
        )
        return order

    def cancel_order(self, order: Order) -> None:
        if order.status not in CANCELLABLE:
            raise ProblemError(
                409,
                "NOT_CANCELLABLE",
                f"order {order.id} is {order.status} and cannot be cancelled",
            )
        # The contract leaves the delivery, if any, as it was.
        self._set_status(order, "CANCELLED")

    def advance_order(self, order: Order) -> None:
        """Move an order one status forward; its delivery follows."""
        if order.status in FINAL_STATUSES:
            raise ProblemError(409, "CONFLICT", f"order {order.id} is already {order.status}")
        self._set_status(order, ORDER_FLOW[ORDER_FLOW.index(order.status) + 1])
        self._follow(order)

    def _set_status(self, order: Order, status: str) -> None:
        now = max(self.now(), order.updated_at)
        order.status = status
        order.status_history.append((status, now))
        order.updated_at = now
        self.events["order"].append(
            "order.status_changed",
            {
                "order_id": order.id,
                "customer_id": order.customer_id,
                "status": status,
                "at": rfc3339(now),
            },
        )

    # -- deliveries -----------------------------------------------------------------------

    def _follow(self, order: Order) -> None:
        restaurant = self.restaurants[order.restaurant_id]
        delivery = self.delivery_for(order.id)
        if delivery is None:
            delivery = self._open_delivery(order)
        if order.status == "READY_FOR_PICKUP":
            self._place_courier(delivery, order, restaurant.location, "AT_RESTAURANT")
        elif order.status == "PICKED_UP":
            self._place_courier(delivery, order, restaurant.location, "PICKED_UP")
        elif order.status == "DELIVERED":
            self._place_courier(delivery, order, order.destination, "DELIVERED")
        else:
            self._publish(delivery)

    def _open_delivery(self, order: Order) -> Delivery:
        courier_ids = sorted(self.couriers, key=lambda c: int(c.split("_")[1]))
        courier = self.couriers[courier_ids[order.seq % len(courier_ids)]]
        number = len(self.deliveries) + 1
        while f"d_{number}" in self.deliveries:
            number += 1
        delivery = Delivery(
            id=f"d_{number}",
            order_id=order.id,
            courier_id=courier.id,
            status="ASSIGNED",
            location=courier.home,
            location_updated_at=self.now(),
            eta=None,
            distance_m=None,
            origin=courier.home,
        )
        self.refresh_estimate(delivery, order)
        self.deliveries[delivery.id] = delivery
        self.delivery_of_order[order.id] = delivery.id
        return delivery

    def _place_courier(self, delivery: Delivery, order: Order, where: LatLng, status: str) -> None:
        delivery.status = status
        delivery.location = where
        delivery.location_updated_at = self.now()
        self.refresh_estimate(delivery, order)
        self._publish(delivery)

    def move_courier(self, delivery: Delivery, order: Order, where: LatLng) -> None:
        """A courier's new position; close to the customer it becomes NEAR_CUSTOMER."""
        delivery.location = where
        delivery.location_updated_at = self.now()
        self.refresh_estimate(delivery, order)
        if (
            delivery.status == "PICKED_UP"
            and delivery.distance_m is not None
            and delivery.distance_m <= NEAR_CUSTOMER_M
        ):
            delivery.status = "NEAR_CUSTOMER"
        self._publish(delivery)

    def refresh_estimate(self, delivery: Delivery, order: Order) -> None:
        if delivery.location is None:
            return
        now = self.now()
        to_customer = haversine_m(delivery.location, order.destination)
        delivery.distance_m = round(to_customer)
        if delivery.status == "DELIVERED":
            delivery.distance_m = 0
            delivery.eta = now
            return
        remaining = to_customer
        if delivery.status in ("ASSIGNED", "AT_RESTAURANT"):
            restaurant = self.restaurants[order.restaurant_id]
            remaining = haversine_m(delivery.location, restaurant.location) + haversine_m(
                restaurant.location, order.destination
            )
        seconds = math.ceil(remaining / RIDE_SPEED_M_PER_S)
        if order.status in ("PLACED", "ACCEPTED", "PREPARING"):
            seconds += self.restaurants[order.restaurant_id].prep_time_minutes * 30
        delivery.eta = now + timedelta(seconds=seconds)

    def _publish(self, delivery: Delivery) -> None:
        self.events["courier"].append(
            "delivery.updated",
            {
                "delivery_id": delivery.id,
                **_without_id(delivery.to_json()),
                "at": rfc3339(self.now()),
            },
        )

    def close_streams(self) -> None:
        for log in self.events.values():
            log.disconnect_all()


def _without_id(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "id"}
