"""Background tasks that read the downstream event streams and hand each event to a handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from clients.events import EventStream, ServiceEvent

log = logging.getLogger("bff.events")

Handler = Callable[[ServiceEvent], Awaitable[None] | None]


class EventConsumers:
    """One consumer per stream; a failing handler never stops a stream."""

    def __init__(self) -> None:
        self._routes: list[tuple[EventStream, list[Handler]]] = []
        self._tasks: list[asyncio.Task[None]] = []

    def add(self, stream: EventStream, *handlers: Handler) -> None:
        self._routes.append((stream, list(handlers)))

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._consume(stream, handlers), name=f"{stream.service}-events")
            for stream, handlers in self._routes
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for stream, _ in self._routes:
            await stream.aclose()

    async def _consume(self, stream: EventStream, handlers: list[Handler]) -> None:
        async for event in stream.events():
            for handler in handlers:
                try:
                    result = handler(event)
                    if result is not None:
                        await result
                except Exception:
                    log.exception("%s event %s: handler failed", stream.service, event.id)
