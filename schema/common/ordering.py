"""Placing and cancelling orders: input validation, the downstream call, refusals as userErrors."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import strawberry
from strawberry.types import Info

from clients import (
    Address,
    BadRequestError,
    ConflictError,
    LatLng,
    NotFoundError,
    Order,
    OrderLineRequest,
    PlaceOrderRequest,
    ProblemError,
    UnprocessableError,
    is_valid_id,
)
from schema.common.queries import checked_id, viewer_id
from schema.context import RequestContext
from schema.errors import forbidden
from schema.loaders import load

OrderT = TypeVar("OrderT")

MAX_QUANTITY = 50
MAX_NOTES = 500
MAX_ITEMS = 100
IDEMPOTENCY_KEY_LENGTH = (8, 128)

MESSAGES = {
    "RESTAURANT_NOT_FOUND": "The restaurant does not exist.",
    "RESTAURANT_CLOSED": "The restaurant is closed right now.",
    "ITEM_NOT_FOUND": "This item does not exist.",
    "ITEM_UNAVAILABLE": "This item is not available right now.",
    "ITEM_FROM_OTHER_RESTAURANT": "This item belongs to another restaurant.",
    "INVALID_QUANTITY": f"Quantity must be between 1 and {MAX_QUANTITY}.",
    "IDEMPOTENCY_CONFLICT": "This checkout was already sent with other contents; start a new one.",
    "NOT_CANCELLABLE": "The order can no longer be cancelled.",
    "ORDER_NOT_FOUND": "The order does not exist.",
    "VALIDATION_ERROR": "The input is not valid.",
}


@strawberry.type(description="A business refusal the app can show next to the offending input.")
class UserError:
    field: list[str] | None
    code: str
    message: str


def user_error(code: str, path: list[str] | None, message: str | None = None) -> UserError:
    return UserError(field=path, code=code, message=message or MESSAGES.get(code, code))


@strawberry.input
class LatLngInput:
    lat: float
    lng: float


@strawberry.input
class AddressInput:
    line1: str
    city: str
    postcode: str
    location: LatLngInput


@strawberry.input
class OrderItemInput:
    menu_item_id: strawberry.ID
    quantity: int
    notes: str | None = None


@strawberry.input
class PlaceOrderInput:
    restaurant_id: strawberry.ID
    items: list[OrderItemInput]
    delivery_address: AddressInput
    idempotency_key: str = strawberry.field(
        description="One per checkout attempt, reused on every retry of it (8 to 128 characters)."
    )


@dataclass
class Outcome:
    """What a mutation ends with: the order (if any) and the refusals."""

    order: Order | None = None
    user_errors: list[UserError] = field(default_factory=list)


def validate_place_order(data: PlaceOrderInput) -> list[UserError]:
    """Refusals that need no downstream call, with paths into the input."""
    errors: list[UserError] = []
    low, high = IDEMPOTENCY_KEY_LENGTH
    if not low <= len(data.idempotency_key) <= high:
        errors.append(
            user_error(
                "VALIDATION_ERROR",
                ["input", "idempotencyKey"],
                f"idempotencyKey must be {low} to {high} characters.",
            )
        )
    if not is_valid_id(data.restaurant_id):
        errors.append(user_error("VALIDATION_ERROR", ["input", "restaurantId"], "Not a valid id."))
    if not data.items:
        errors.append(user_error("VALIDATION_ERROR", ["input", "items"], "Add at least one item."))
    if len(data.items) > MAX_ITEMS:
        errors.append(
            user_error("VALIDATION_ERROR", ["input", "items"], f"At most {MAX_ITEMS} lines.")
        )
    for index, item in enumerate(data.items):
        path = ["input", "items", str(index)]
        if not is_valid_id(item.menu_item_id):
            errors.append(user_error("VALIDATION_ERROR", [*path, "menuItemId"], "Not a valid id."))
        if not 1 <= item.quantity <= MAX_QUANTITY:
            errors.append(user_error("INVALID_QUANTITY", [*path, "quantity"]))
        if item.notes is not None and len(item.notes) > MAX_NOTES:
            errors.append(
                user_error("VALIDATION_ERROR", [*path, "notes"], f"At most {MAX_NOTES} characters.")
            )
    errors.extend(_address_errors(data.delivery_address))
    return errors


def _address_errors(address: AddressInput) -> list[UserError]:
    path = ["input", "deliveryAddress"]
    errors = [
        user_error("VALIDATION_ERROR", [*path, name], f"{name} must not be empty.")
        for name in ("line1", "city", "postcode")
        if not getattr(address, name).strip()
    ]
    location = address.location
    if not (-90 <= location.lat <= 90 and -180 <= location.lng <= 180):
        errors.append(user_error("VALIDATION_ERROR", [*path, "location"], "Not a valid location."))
    return errors


def downstream_key(customer_id: str, idempotency_key: str) -> str:
    """The key sent downstream, scoped to the customer: keys there are global, not per customer.

    Deterministic, so a retried checkout still maps to the same downstream key.
    """
    return hashlib.sha256(f"{customer_id}\x00{idempotency_key}".encode()).hexdigest()


def place_order_request(customer_id: str, data: PlaceOrderInput) -> PlaceOrderRequest:
    location = data.delivery_address.location
    return PlaceOrderRequest(
        customer_id=customer_id,
        restaurant_id=data.restaurant_id,
        items=[
            OrderLineRequest(menu_item_id=i.menu_item_id, quantity=i.quantity, notes=i.notes)
            for i in data.items
        ],
        delivery_address=Address(
            line1=data.delivery_address.line1,
            city=data.delivery_address.city,
            postcode=data.delivery_address.postcode,
            location=LatLng(lat=location.lat, lng=location.lng),
        ),
    )


async def place_order(info: Info[RequestContext, None], data: PlaceOrderInput) -> Outcome:
    customer_id = viewer_id(info)
    refusals = validate_place_order(data)
    if refusals:
        return Outcome(user_errors=refusals)
    ctx = info.context
    try:
        order = await ctx.loaders.downstream.order.place_order(
            place_order_request(customer_id, data),
            downstream_key(customer_id, data.idempotency_key),
            ctx.call,
        )
    except (UnprocessableError, ConflictError, BadRequestError) as refusal:
        return Outcome(user_errors=[refusal_as_user_error(refusal)])
    ctx.loaders.order.prime(order.id, order)
    return Outcome(order=order)


async def cancel_order(
    info: Info[RequestContext, None], order_id: str, reason: str | None
) -> Outcome:
    customer_id = viewer_id(info)
    checked_id(order_id, "id")
    ctx = info.context
    current = await load(ctx.loaders.order, order_id)
    if current is None:
        return Outcome(user_errors=[user_error("ORDER_NOT_FOUND", ["id"])])
    if current.customer_id != customer_id:
        raise forbidden()
    try:
        order = await ctx.loaders.downstream.order.cancel_order(order_id, reason, ctx.call)
    except NotFoundError:
        return Outcome(user_errors=[user_error("ORDER_NOT_FOUND", ["id"])])
    except ConflictError as refusal:
        # The order as it stands: the refusal means its status moved on.
        return Outcome(order=current, user_errors=[refusal_as_user_error(refusal, root="id")])
    return Outcome(order=order)


def refusal_as_user_error(refusal: ProblemError, root: str = "input") -> UserError:
    code = refusal.code if refusal.code in MESSAGES else "VALIDATION_ERROR"
    idempotency = code == "IDEMPOTENCY_CONFLICT" or "idempotency" in (refusal.field or "").lower()
    if idempotency and root == "input":
        # The key travels as a header downstream; in the app's terms it is this input field.
        return user_error(code, ["input", "idempotencyKey"])
    return user_error(code, input_path(refusal.field, root))


_FIELD_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def input_path(field_name: str | None, root: str = "input") -> list[str] | None:
    """``items[0].menu_item_id`` → ``["input", "items", "0", "menuItemId"]``."""
    if not field_name:
        return None if root == "input" else [root]
    if root != "input":
        return [root]
    path = [root]
    for name, index in _FIELD_PART.findall(field_name):
        path.append(index if index else _camel(name))
    if path[1:2] == ["customerId"]:
        return None  # Never the app's input: it comes from the token.
    return path


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type
class OrderPayload(Generic[OrderT]):
    """What placeOrder and cancelOrder answer: the order, and refusals as userErrors."""

    order: OrderT | None
    user_errors: list[UserError]
