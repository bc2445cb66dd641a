"""Fields of restaurants and menu items that both clients show; each client adds its own."""

from __future__ import annotations

from typing import Any

import strawberry

from clients import MenuItem as MenuItemModel
from clients import Restaurant as RestaurantModel
from schema.common.lookahead import Selection
from schema.common.money import Money
from schema.common.queries import Origin
from schema.common.types import LatLng
from schema.context import Ctx


@strawberry.type
class RestaurantFields:
    id: strawberry.ID
    name: str
    cuisines: list[str]
    rating: float | None
    is_open: bool
    prep_time_minutes: int | None
    location: LatLng | None
    distance_meters: int | None = strawberry.field(
        description="Metres from the search's lat/lng, rounded; null without one."
    )
    delivery_eta_minutes: int | None = strawberry.field(
        description="prepTimeMinutes plus the ride at 15 km/h; null without a distance."
    )

    @staticmethod
    def fields_of(
        model: RestaurantModel, origin: Origin | None, wanted: Selection
    ) -> dict[str, Any]:
        """The shared fields; those that cost a computation or an object only where selected."""
        distance = eta = None
        if origin and ("distanceMeters" in wanted or "deliveryEtaMinutes" in wanted):
            distance = origin.distance_to(model)
            eta = origin.delivery_eta(model, distance)
        return {
            "id": strawberry.ID(model.id),
            "name": model.name,
            "cuisines": model.cuisines,
            "rating": model.rating,
            "is_open": model.is_open,
            "prep_time_minutes": model.prep_time_minutes,
            "location": LatLng.from_model(model.location) if "location" in wanted else None,
            "distance_meters": distance,
            "delivery_eta_minutes": eta,
        }


@strawberry.type
class MenuItemFields:
    id: strawberry.ID
    name: str
    description: str
    price: Money
    available: bool
    dietary: list[str]

    @staticmethod
    def fields_of(item: MenuItemModel, info: Ctx, wanted: Selection) -> dict[str, Any]:
        return {
            "id": strawberry.ID(item.id),
            "name": item.name,
            "description": item.description,
            "price": Money.from_model(item.price, info.context.locale)
            if "price" in wanted
            else None,
            "available": item.available,
            "dietary": item.dietary,
        }
