"""Checks a `POST /v1/orders` body in the contract's order and turns it into an OrderRequest."""

from __future__ import annotations

import math
from typing import Any

import orjson

from mocks.problems import ProblemError, bad_request
from mocks.world import OrderRequest, PlacedLine, World

MIN_KEY, MAX_KEY = 8, 128
MIN_QUANTITY, MAX_QUANTITY = 1, 50
MAX_LINES = 100


def idempotency_key(header: str | None) -> str:
    if header is None or not MIN_KEY <= len(header) <= MAX_KEY:
        raise bad_request(
            f"header `Idempotency-Key` of {MIN_KEY}-{MAX_KEY} characters is required",
            "Idempotency-Key",
        )
    return header


def parse_body(raw: bytes) -> dict[str, Any]:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_request("the body is not JSON") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def comparable(body: dict[str, Any]) -> Any:
    """The body as idempotent repeats compare it: an absent `notes` equals null."""
    items = body.get("items")
    if not isinstance(items, list):
        return body
    lines = [{"notes": None, **line} if isinstance(line, dict) else line for line in items]
    return {**body, "items": lines}


def _invalid(code: str, detail: str, field: str) -> ProblemError:
    return ProblemError(422, code, detail, field=field)


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid("VALIDATION_ERROR", f"`{field}` must be a non-empty string", field)
    return value


def _coordinate(value: Any, field: str, bound: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or abs(value) > bound
    ):
        raise _invalid("VALIDATION_ERROR", f"`{field}` must be a coordinate", field)
    return float(value)


def _address(value: Any) -> dict[str, Any]:
    field = "delivery_address"
    if not isinstance(value, dict):
        raise _invalid("VALIDATION_ERROR", "`delivery_address` must be an object", field)
    location = value.get("location")
    if not isinstance(location, dict):
        raise _invalid("VALIDATION_ERROR", "a location is required", f"{field}.location")
    return {
        "line1": _text(value.get("line1"), f"{field}.line1"),
        "city": _text(value.get("city"), f"{field}.city"),
        "postcode": _text(value.get("postcode"), f"{field}.postcode"),
        "location": {
            "lat": _coordinate(location.get("lat"), f"{field}.location.lat", 90),
            "lng": _coordinate(location.get("lng"), f"{field}.location.lng", 180),
        },
    }


def _line_shape(value: Any, index: int) -> tuple[str, Any, str | None]:
    field = f"items[{index}]"
    if not isinstance(value, dict):
        raise _invalid("VALIDATION_ERROR", f"`{field}` must be an object", field)
    item_id = _text(value.get("menu_item_id"), f"{field}.menu_item_id")
    notes = value.get("notes")
    if notes is not None and not isinstance(notes, str):
        raise _invalid("VALIDATION_ERROR", "`notes` must be a string", f"{field}.notes")
    return item_id, value.get("quantity"), notes


def _quantity(raw: Any, field: str) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _invalid("VALIDATION_ERROR", "`quantity` must be an integer", field)
    value: int = raw
    if not MIN_QUANTITY <= value <= MAX_QUANTITY:
        raise _invalid("INVALID_QUANTITY", f"quantity must be {MIN_QUANTITY}-{MAX_QUANTITY}", field)
    return value


def order_request(world: World, body: dict[str, Any]) -> OrderRequest:
    """The order `body` asks for, or the first reason (422) it cannot be placed."""
    customer_id = _text(body.get("customer_id"), "customer_id")
    restaurant_id = _text(body.get("restaurant_id"), "restaurant_id")
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_LINES:
        raise _invalid("VALIDATION_ERROR", f"`items` must hold 1-{MAX_LINES} lines", "items")
    shapes = [_line_shape(value, index) for index, value in enumerate(items)]
    address = _address(body.get("delivery_address"))
    restaurant = world.restaurants.get(restaurant_id)
    if restaurant is None:
        raise _invalid("RESTAURANT_NOT_FOUND", f"no restaurant {restaurant_id}", "restaurant_id")
    if not restaurant.is_open:
        raise _invalid("RESTAURANT_CLOSED", f"{restaurant.name} is closed", "restaurant_id")
    lines = []
    for index, (item_id, quantity, notes) in enumerate(shapes):
        field = f"items[{index}]"
        item = world.menu_items.get(item_id)
        if item is None:
            raise _invalid("ITEM_NOT_FOUND", f"no menu item {item_id}", f"{field}.menu_item_id")
        if item.restaurant_id != restaurant_id:
            raise _invalid(
                "ITEM_FROM_OTHER_RESTAURANT",
                f"{item_id} is not on the menu of {restaurant_id}",
                f"{field}.menu_item_id",
            )
        if not item.available:
            raise _invalid(
                "ITEM_UNAVAILABLE", f"{item.name} is unavailable", f"{field}.menu_item_id"
            )
        lines.append(PlacedLine(item_id, _quantity(quantity, f"{field}.quantity"), notes))
    return OrderRequest(customer_id, restaurant_id, tuple(lines), address)
