"""The web app's types: fuller, with addresses, opening hours and full-size images."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from clients import MenuItem as MenuItemModel
from clients import Order as OrderModel
from clients import OrderLine as OrderLineModel
from clients import Restaurant as RestaurantModel
from schema.common.catalog import MenuItemFields, RestaurantFields
from schema.common.lookahead import EVERYTHING, Selection, at
from schema.common.orders import OrderFields, OrderItemFields, restaurant_of
from schema.common.queries import Origin, menu_sections, restaurant_menu
from schema.common.types import Address, OpeningHours
from schema.context import Ctx, RequestContext
from schema.relations import value_now


@strawberry.type
class MenuItem(MenuItemFields):
    image_url: str | None

    @classmethod
    def from_model(cls, item: MenuItemModel, info: Ctx, wanted: Selection = EVERYTHING) -> MenuItem:
        return cls(**cls.fields_of(item, info, wanted), image_url=item.image_url)


@strawberry.type
class MenuSection:
    section: str
    items: list[MenuItem]


@strawberry.type
class Restaurant(RestaurantFields):
    rating_count: int
    price_level: int | None
    image_url: str | None
    address: Address | None
    opening_hours: list[OpeningHours]

    @strawberry.field(description="The menu grouped into sections, in the restaurant's order.")
    async def menu(self, info: Info[RequestContext, None]) -> list[MenuSection] | None:
        items = await restaurant_menu(info, self.id)
        if items is None:
            return None
        return [
            MenuSection(section=name, items=[MenuItem.from_model(i, info) for i in section])
            for name, section in menu_sections(items)
        ]

    @classmethod
    def from_model(
        cls, model: RestaurantModel, origin: Origin | None = None, wanted: Selection = EVERYTHING
    ) -> Restaurant:
        return cls(
            **cls.fields_of(model, origin, wanted),
            rating_count=model.rating_count,
            price_level=model.price_level,
            image_url=model.image_url,
            address=Address.from_model(model.address, at(wanted, "address"))
            if "address" in wanted
            else None,
            opening_hours=[OpeningHours.from_model(h) for h in model.opening_hours]
            if "openingHours" in wanted
            else [],
        )


@strawberry.type
class OrderItem(OrderItemFields):
    menu_item: MenuItem | None

    @classmethod
    def from_model(cls, line: OrderLineModel, info: Ctx, wanted: Selection) -> OrderItem:
        menu_item = None
        if "menuItem" in wanted:
            item_wanted = at(wanted, "menuItem")

            def convert(item: MenuItemModel) -> MenuItem:
                return MenuItem.from_model(item, info, item_wanted)

            menu_item = value_now(info.context.loaders.menu_item, line.menu_item_id, convert)
        return cls(**cls.fields_of(line, info, wanted), menu_item=menu_item)


@strawberry.type
class Order(OrderFields):
    restaurant: Restaurant | None
    items: list[OrderItem]

    @classmethod
    def from_model(cls, model: OrderModel, info: Ctx, wanted: Selection) -> Order:
        """The order as selected; its relations' loads must have been started ahead."""
        restaurant = restaurant_of(model, info, wanted, Restaurant.from_model)
        lines = at(wanted, "items")
        items = [OrderItem.from_model(line, info, lines) for line in model.items]
        return cls(**cls.fields_of(model, info, wanted), restaurant=restaurant, items=items)
