"""GraphQL types that the mobile and the web schema show identically."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from clients import Address as AddressModel
from clients import Courier as CourierModel
from clients import Delivery as DeliveryModel
from clients import DeliveryStatus, OrderStatus, Vehicle
from clients import LatLng as LatLngModel
from clients import OpeningHours as OpeningHoursModel
from clients import StatusChange as StatusChangeModel
from schema.context import RequestContext
from schema.relations import resolve_now

OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")
DeliveryStatusEnum = strawberry.enum(DeliveryStatus, name="DeliveryStatus")
VehicleEnum = strawberry.enum(Vehicle, name="Vehicle")


@strawberry.type
class LatLng:
    lat: float
    lng: float

    @classmethod
    def from_model(cls, model: LatLngModel | None) -> LatLng | None:
        return None if model is None else cls(lat=model.lat, lng=model.lng)


@strawberry.type
class Address:
    line1: str
    city: str
    postcode: str
    location: LatLng | None

    @classmethod
    def from_model(cls, model: AddressModel | None) -> Address | None:
        if model is None:
            return None
        return cls(
            line1=model.line1,
            city=model.city,
            postcode=model.postcode,
            location=LatLng.from_model(model.location),
        )


@strawberry.type(description="Opening hours of one day; day 0 is Monday.")
class OpeningHours:
    day: int
    open: str
    close: str

    @classmethod
    def from_model(cls, model: OpeningHoursModel) -> OpeningHours:
        return cls(day=model.day, open=model.open, close=model.close)


@strawberry.type
class StatusChange:
    status: OrderStatus
    at: datetime

    @classmethod
    def from_model(cls, model: StatusChangeModel) -> StatusChange:
        return cls(status=model.status, at=model.at)


@strawberry.type
class Courier:
    id: strawberry.ID
    name: str
    vehicle: Vehicle
    rating: float | None
    photo_url: str | None
    phone: str | None = strawberry.field(
        description="Only for the customer of the order, while the delivery is not DELIVERED."
    )

    @classmethod
    def from_model(cls, model: CourierModel, *, show_phone: bool) -> Courier:
        return cls(
            id=strawberry.ID(model.id),
            name=model.name,
            vehicle=model.vehicle,
            rating=model.rating,
            photo_url=model.photo_url,
            phone=model.phone if show_phone else None,
        )


@strawberry.type
class Delivery:
    id: strawberry.ID
    status: DeliveryStatus
    eta: datetime | None
    location: LatLng | None
    location_updated_at: datetime | None
    distance_meters: int | None
    courier_id: strawberry.Private[str | None]
    customer_id: strawberry.Private[str]

    @strawberry.field
    def courier(self, info: Info[RequestContext, None]) -> Courier | None:
        if self.courier_id is None:
            return None
        show_phone = (
            info.context.user_id == self.customer_id and self.status != DeliveryStatus.DELIVERED
        )

        def visible(courier: CourierModel) -> Courier:
            return Courier.from_model(courier, show_phone=show_phone)

        return resolve_now(info.context.loaders.courier, self.courier_id, visible)  # type: ignore[return-value]

    @classmethod
    def from_model(cls, model: DeliveryModel, *, customer_id: str) -> Delivery:
        return cls(
            id=strawberry.ID(model.id),
            status=model.status,
            eta=model.eta,
            location=LatLng.from_model(model.location),
            location_updated_at=model.location_updated_at,
            distance_meters=model.distance_m,
            courier_id=model.courier_id,
            customer_id=customer_id,
        )
