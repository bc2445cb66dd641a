"""The per-request context every resolver sees: who is asking, in which locale, and the loaders."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from babel import Locale
from strawberry.fastapi import BaseContext
from strawberry.types import Info

from clients import CallContext, Delivery, OrderStatus
from schema.loaders import Loaders


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: OrderStatus


@dataclass(frozen=True, slots=True)
class DeliveryChanged:
    delivery: Delivery


@dataclass(frozen=True, slots=True)
class Resync:
    """Events may have been missed: refetch the state."""


OrderSignal = StatusChanged | DeliveryChanged | Resync


class OrderFeed(Protocol):
    async def next(self) -> OrderSignal: ...


class OrderEvents(Protocol):
    """What a subscription needs of the event hub: the changes of one order, as they happen."""

    def subscribe(self, order_id: str) -> AbstractContextManager[OrderFeed]: ...


class RequestContext(BaseContext):
    """Made fresh for each request or WebSocket connection (loaders must never outlive it)."""

    def __init__(
        self,
        *,
        call: CallContext,
        loaders: Loaders,
        locale: Locale,
        user_id: str | None,
        auth_error: str | None = None,
        identify: Callable[[str | None], str | None] = lambda _: None,
        order_events: OrderEvents | None = None,
    ) -> None:
        super().__init__()
        self.call = call
        self.loaders = loaders
        self.locale = locale
        self.user_id = user_id
        # Why a token was refused (expired, bad signature, …), for logs; never sent to apps.
        self.auth_error = auth_error
        # Verifies a token given after the connection opened (a WebSocket's connection_init).
        self.identify = identify
        self.order_events = order_events


Ctx = Info[RequestContext, None]
