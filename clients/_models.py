"""Typed models of the contract's resources; unknown fields are ignored, as the contract asks.

msgspec Structs: decoding and validating a downstream body is several times faster than with
pydantic, and it happens on every answer that does not come from the cache.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

import msgspec


class ContractModel(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Immutable (safe to share across requests through the cache); unknown fields ignored."""


class OrderStatus(StrEnum):
    PLACED = "PLACED"
    ACCEPTED = "ACCEPTED"
    PREPARING = "PREPARING"
    READY_FOR_PICKUP = "READY_FOR_PICKUP"
    PICKED_UP = "PICKED_UP"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


FINAL_ORDER_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
ACTIVE_ORDER_STATUSES = tuple(s for s in OrderStatus if s not in FINAL_ORDER_STATUSES)


class DeliveryStatus(StrEnum):
    ASSIGNED = "ASSIGNED"
    AT_RESTAURANT = "AT_RESTAURANT"
    PICKED_UP = "PICKED_UP"
    NEAR_CUSTOMER = "NEAR_CUSTOMER"
    DELIVERED = "DELIVERED"


class Vehicle(StrEnum):
    BICYCLE = "BICYCLE"
    SCOOTER = "SCOOTER"
    CAR = "CAR"
    ON_FOOT = "ON_FOOT"


class Money(ContractModel, frozen=True, kw_only=True):
    amount: int
    currency: str


class LatLng(ContractModel, frozen=True, kw_only=True):
    lat: float
    lng: float


class Address(ContractModel, frozen=True, kw_only=True):
    line1: str
    city: str
    postcode: str
    location: LatLng | None = None


class OpeningHours(ContractModel, frozen=True, kw_only=True):
    day: int
    open: str
    close: str


class Restaurant(ContractModel, frozen=True, kw_only=True):
    id: str
    name: str
    cuisines: list[str] = []
    rating: float | None = None
    rating_count: int = 0
    price_level: int | None = None
    address: Address | None = None
    location: LatLng | None = None
    opening_hours: list[OpeningHours] = []
    is_open: bool = False
    prep_time_minutes: int | None = None
    image_url: str | None = None
    updated_at: datetime | None = None


class MenuItem(ContractModel, frozen=True, kw_only=True):
    id: str
    restaurant_id: str
    name: str
    description: str = ""
    section: str
    price: Money
    available: bool = True
    dietary: list[str] = []
    image_url: str | None = None
    updated_at: datetime | None = None


class RestaurantMenu(ContractModel, frozen=True, kw_only=True):
    restaurant_id: str
    items: list[MenuItem]


class OrderLine(ContractModel, frozen=True, kw_only=True):
    menu_item_id: str
    name: str | None = None
    quantity: int
    unit_price: Money
    line_total: Money
    notes: str | None = None


class StatusChange(ContractModel, frozen=True, kw_only=True):
    status: OrderStatus
    at: datetime


class Order(ContractModel, frozen=True, kw_only=True):
    id: str
    customer_id: str
    restaurant_id: str
    status: OrderStatus
    items: list[OrderLine] = []
    subtotal: Money
    delivery_fee: Money
    total: Money
    delivery_address: Address | None = None
    status_history: list[StatusChange] = []
    created_at: datetime
    updated_at: datetime | None = None


class Delivery(ContractModel, frozen=True, kw_only=True):
    id: str
    order_id: str
    courier_id: str | None = None
    status: DeliveryStatus
    location: LatLng | None = None
    location_updated_at: datetime | None = None
    eta: datetime | None = None
    distance_m: int | None = None


class Courier(ContractModel, frozen=True, kw_only=True):
    id: str
    name: str
    vehicle: Vehicle
    rating: float | None = None
    phone: str | None = None
    photo_url: str | None = None


T = TypeVar("T", bound=ContractModel)


class Items(ContractModel, Generic[T], frozen=True, kw_only=True):
    """A batch get's answer: the things that exist, in any order."""

    items: list[T]


class Page(ContractModel, Generic[T], frozen=True, kw_only=True):
    """One page of a cursor-paginated list."""

    items: list[T]
    next_cursor: str | None = None


class OrderLineRequest(ContractModel, frozen=True, kw_only=True):
    menu_item_id: str
    quantity: int
    notes: str | None = None


class PlaceOrderRequest(ContractModel, frozen=True, kw_only=True):
    customer_id: str
    restaurant_id: str
    items: list[OrderLineRequest]
    delivery_address: Address
