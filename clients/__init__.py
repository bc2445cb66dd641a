"""Typed async clients of the downstream order, menu and courier services."""

from clients._context import CallContext
from clients._downstream import SERVICES, Downstream
from clients._exceptions import (
    BadRequestError,
    ConflictError,
    DownstreamError,
    DownstreamTimeout,
    DownstreamUnavailable,
    InvalidIdError,
    MalformedResponse,
    NotFoundError,
    ProblemError,
    UnprocessableError,
)
from clients._ids import check_id, is_valid_id
from clients._models import (
    ACTIVE_ORDER_STATUSES,
    FINAL_ORDER_STATUSES,
    Address,
    Courier,
    Delivery,
    DeliveryStatus,
    LatLng,
    MenuItem,
    Money,
    OpeningHours,
    Order,
    OrderLine,
    OrderLineRequest,
    OrderStatus,
    Page,
    PlaceOrderRequest,
    Restaurant,
    StatusChange,
    Vehicle,
)
from clients._transport import ServiceTransport, TransportConfig
from clients.courier import CourierClient
from clients.menu import MenuClient
from clients.order import OrderClient

__all__ = [
    "ACTIVE_ORDER_STATUSES",
    "FINAL_ORDER_STATUSES",
    "SERVICES",
    "Address",
    "BadRequestError",
    "CallContext",
    "ConflictError",
    "Courier",
    "CourierClient",
    "Delivery",
    "DeliveryStatus",
    "Downstream",
    "DownstreamError",
    "DownstreamTimeout",
    "DownstreamUnavailable",
    "InvalidIdError",
    "LatLng",
    "MalformedResponse",
    "MenuClient",
    "MenuItem",
    "Money",
    "NotFoundError",
    "OpeningHours",
    "Order",
    "OrderClient",
    "OrderLine",
    "OrderLineRequest",
    "OrderStatus",
    "Page",
    "PlaceOrderRequest",
    "ProblemError",
    "Restaurant",
    "ServiceTransport",
    "StatusChange",
    "TransportConfig",
    "UnprocessableError",
    "Vehicle",
    "check_id",
    "is_valid_id",
]
