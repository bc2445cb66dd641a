"""GraphQL types that the mobile and the web schema show identically."""

from __future__ import annotations

from datetime import datetime

import strawberry

from clients import Address as AddressModel
from clients import Courier as CourierModel
from clients import Delivery as DeliveryModel
from clients import DeliveryStatus, OrderStatus, Vehicle
from clients import LatLng as LatLngModel
from clients import OpeningHours as OpeningHoursModel
from clients import StatusChange as StatusChangeModel
from schema.common.lookahead import EVERYTHING, Selection
from schema.context import Ctx
from schema.relations import value_now

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
    def from_model(
        cls, model: AddressModel | None, wanted: Selection = EVERYTHING
    ) -> Address | None:
        if model is None:
            return None
        return cls(
            line1=model.line1,
            city=model.city,
            postcode=model.postcode,
            location=LatLng.from_model(model.location) if "location" in wanted else None,
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
    courier: Courier | None = strawberry.field(
        description="The courier; phone only for the order's customer, until delivered."
    )

    @classmethod
    def from_model(
        cls, model: DeliveryModel, *, customer_id: str, info: Ctx, wanted: Selection
    ) -> Delivery:
        courier = None
        if model.courier_id is not None and "courier" in wanted:
            show_phone = (
                info.context.user_id == customer_id and model.status != DeliveryStatus.DELIVERED
            )

            def visible(found: CourierModel) -> Courier:
                return Courier.from_model(found, show_phone=show_phone)

            courier = value_now(info.context.loaders.courier, model.courier_id, visible)
        return cls(
            id=strawberry.ID(model.id),
            status=model.status,
            eta=model.eta,
            location=LatLng.from_model(model.location) if "location" in wanted else None,
            location_updated_at=model.location_updated_at,
            distance_meters=model.distance_m,
            courier=courier,
        )
