"""The order and courier event streams, fanned out in process to subscribers by order id.

One consumer per service per process: every replica consumes the streams itself, so any
replica can serve any subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import ValidationError

from clients import Delivery, OrderStatus
from clients.events import STREAM_RESET, EventStream, ServiceEvent
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


@dataclass
class OrderEventHub:
    """Consumes the order and courier streams and routes their events to subscriptions."""

    streams: list[EventStream]

    def __post_init__(self) -> None:
        self._subscriptions: dict[str, set[OrderSubscription]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._consume(s)) for s in self.streams]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for stream in self.streams:
            await stream.aclose()

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

    async def _consume(self, stream: EventStream) -> None:
        async for event in stream.events():
            try:
                self.dispatch(event)
            except Exception:  # One bad event must not stop the stream for everyone.
                log.exception("%s event %s could not be dispatched", stream.service, event.id)

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
            return DeliveryChanged(Delivery.model_validate(data))
    except (KeyError, ValueError, ValidationError):
        log.warning("malformed %s event %s ignored", event.type, event.id)
    return None
