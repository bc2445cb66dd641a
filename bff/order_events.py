"""Order and delivery events fanned out in process to the subscribers of each order.

Every replica consumes the streams itself (see ``bff.downstream``), so any replica can serve
any subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import msgspec

from clients import Delivery, OrderStatus
from clients.events import STREAM_RESET, ServiceEvent
from schema.context import DeliveryChanged, OrderSignal, Resync, StatusChanged

log = logging.getLogger("bff.order_events")

SUBSCRIBER_QUEUE = 32


class OrderSubscription:
    """One subscriber's bounded queue: a slow reader gets the latest state, not a backlog."""

    def __init__(self, order_id: str, maxsize: int = SUBSCRIBER_QUEUE) -> None:
        self.order_id = order_id
        self._queue: asyncio.Queue[OrderSignal] = asyncio.Queue(maxsize)

    def offer(self, signal: OrderSignal) -> None:
        try:
            self._queue.put_nowait(signal)
        except asyncio.QueueFull:
            # Drop the backlog: one refetch brings the subscriber to the latest state.
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(Resync())

    async def next(self) -> OrderSignal:
        return await self._queue.get()


class OrderEventHub:
    """Routes order and delivery events to the subscriptions of their order."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, set[OrderSubscription]] = {}

    @contextlib.contextmanager
    def subscribe(self, order_id: str) -> Iterator[OrderSubscription]:
        subscription = OrderSubscription(order_id)
        self._subscriptions.setdefault(order_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            watchers = self._subscriptions.get(order_id)
            if watchers is not None:
                watchers.discard(subscription)
                if not watchers:
                    del self._subscriptions[order_id]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())

    def dispatch(self, event: ServiceEvent) -> None:
        if event.type == STREAM_RESET:
            self._broadcast(Resync())
            return
        order_id = event.data.get("order_id")
        if not isinstance(order_id, str) or order_id not in self._subscriptions:
            return
        signal = _signal(event)
        if signal is not None:
            for subscription in list(self._subscriptions[order_id]):
                subscription.offer(signal)

    def _broadcast(self, signal: OrderSignal) -> None:
        for watchers in list(self._subscriptions.values()):
            for subscription in list(watchers):
                subscription.offer(signal)


def _signal(event: ServiceEvent) -> OrderSignal | None:
    try:
        if event.type == "order.status_changed":
            return StatusChanged(OrderStatus(event.data["status"]))
        if event.type == "delivery.updated":
            data = {"id": event.data.get("delivery_id"), **event.data}
            return DeliveryChanged(msgspec.convert(data, Delivery))
    except (KeyError, ValueError, msgspec.ValidationError):
        log.warning("malformed %s event %s ignored", event.type, event.id)
    return None
