"""The mocks' domain records and their contract JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mocks.geo import LatLng

CURRENCY = "EUR"

ORDER_FLOW = ("PLACED", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED")
ORDER_STATUSES = (*ORDER_FLOW, "CANCELLED")
FINAL_STATUSES = frozenset({"DELIVERED", "CANCELLED"})
CANCELLABLE = frozenset({"PLACED", "ACCEPTED", "PREPARING"})
DELIVERY_STATUSES = ("ASSIGNED", "AT_RESTAURANT", "PICKED_UP", "NEAR_CUSTOMER", "DELIVERED")
VEHICLES = ("BICYCLE", "SCOOTER", "CAR", "ON_FOOT")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def id_number(identifier: str) -> int:
    """The number in a mock id such as `r_12` (ids from elsewhere sort last)."""
    _, _, digits = identifier.partition("_")
    return int(digits) if digits.isdigit() else 1 << 62


@dataclass
class Restaurant:
    id: str
    name: str
    cuisines: list[str]
    rating: float | None
    rating_count: int
    price_level: int
    address: dict[str, str]
    location: LatLng
    opening_hours: list[dict[str, Any]]
    is_open: bool
    prep_time_minutes: int
    image_url: str | None
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "cuisines": self.cuisines,
            "rating": self.rating,
            "rating_count": self.rating_count,
            "price_level": self.price_level,
            "address": self.address,
            "location": self.location.to_json(),
            "opening_hours": self.opening_hours,
            "is_open": self.is_open,
            "prep_time_minutes": self.prep_time_minutes,
            "image_url": self.image_url,
            "updated_at": rfc3339(self.updated_at),
        }


@dataclass
class MenuItem:
    id: str
    restaurant_id: str
    name: str
    description: str
    section: str
    price: int
    available: bool
    dietary: list[str]
    image_url: str | None
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "restaurant_id": self.restaurant_id,
            "name": self.name,
            "description": self.description,
            "section": self.section,
            "price": money(self.price),
            "available": self.available,
            "dietary": self.dietary,
            "image_url": self.image_url,
            "updated_at": rfc3339(self.updated_at),
        }


@dataclass
class Courier:
    id: str
    name: str
    vehicle: str
    rating: float | None
    phone: str
    photo_url: str | None
    home: LatLng  # where the courier waits between deliveries (not part of the contract)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "vehicle": self.vehicle,
            "rating": self.rating,
            "phone": self.phone,
            "photo_url": self.photo_url,
        }


@dataclass
class OrderLine:
    menu_item_id: str
    name: str
    quantity: int
    unit_price: int
    notes: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "menu_item_id": self.menu_item_id,
            "name": self.name,
            "quantity": self.quantity,
            "unit_price": money(self.unit_price),
            "line_total": money(self.unit_price * self.quantity),
            "notes": self.notes,
        }


@dataclass
class Order:
    id: str
    seq: int  # creation order: the keyset of newest-first lists
    customer_id: str
    restaurant_id: str
    status: str
    lines: list[OrderLine]
    delivery_fee: int
    delivery_address: dict[str, Any]
    status_history: list[tuple[str, datetime]]
    created_at: datetime
    updated_at: datetime

    @property
    def subtotal(self) -> int:
        return sum(line.unit_price * line.quantity for line in self.lines)

    @property
    def destination(self) -> LatLng:
        location = self.delivery_address["location"]
        return LatLng(float(location["lat"]), float(location["lng"]))

    @property
    def status_since(self) -> datetime:
        return self.status_history[-1][1]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "restaurant_id": self.restaurant_id,
            "status": self.status,
            "items": [line.to_json() for line in self.lines],
            "subtotal": money(self.subtotal),
            "delivery_fee": money(self.delivery_fee),
            "total": money(self.subtotal + self.delivery_fee),
            "delivery_address": self.delivery_address,
            "status_history": [{"status": s, "at": rfc3339(at)} for s, at in self.status_history],
            "created_at": rfc3339(self.created_at),
            "updated_at": rfc3339(self.updated_at),
        }


@dataclass
class Delivery:
    id: str
    order_id: str
    courier_id: str | None
    status: str
    location: LatLng | None
    location_updated_at: datetime | None
    eta: datetime | None
    distance_m: int | None
    origin: LatLng | None = field(default=None)  # where the courier set off from

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "order_id": self.order_id,
            "courier_id": self.courier_id,
            "status": self.status,
            "location": self.location.to_json() if self.location else None,
            "location_updated_at": (
                rfc3339(self.location_updated_at) if self.location_updated_at else None
            ),
            "eta": rfc3339(self.eta) if self.eta else None,
            "distance_m": self.distance_m,
        }
