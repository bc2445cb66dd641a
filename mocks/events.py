"""Per-service event log and its Server-Sent Events endpoint, with Last-Event-ID replay."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

DEFAULT_CAPACITY = 5000
DEFAULT_PING_INTERVAL = 15.0

_CLOSE = None  # queued to a subscriber to end its stream


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        return (
            f"id: {self.id}\nevent: {self.type}\n".encode()
            + b"data: "
            + orjson.dumps(self.data)
            + b"\n\n"
        )


RESET_FRAME = b"event: stream.reset\ndata: {}\n\n"
PING_FRAME = b": ping\n\n"


class EventLog:
    """The numbered events of one service, the last `capacity` of them kept for replay."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._events: deque[Event] = deque(maxlen=capacity)
        self._last_id = 0
        self._subscribers: set[asyncio.Queue[Event | None]] = set()

    @property
    def last_id(self) -> int:
        return self._last_id

    def append(self, type_: str, data: dict[str, Any]) -> Event:
        self._last_id += 1
        event = Event(self._last_id, type_, data)
        self._events.append(event)
        for queue in self._subscribers:
            queue.put_nowait(event)
        return event

    def since(self, last_event_id: str | None) -> list[Event] | None:
        """Events after `last_event_id`, or None when some of them are no longer kept."""
        if last_event_id is None:
            return []
        try:
            seen = int(last_event_id.strip())
        except ValueError:
            return None
        oldest = self._events[0].id if self._events else self._last_id + 1
        # An id from the future means the log restarted: the client's state is stale too.
        if seen < oldest - 1 or seen > self._last_id or seen < 0:
            return None
        return [event for event in self._events if event.id > seen]

    def subscribe(self) -> asyncio.Queue[Event | None]:
        queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event | None]) -> None:
        self._subscribers.discard(queue)

    def disconnect_all(self) -> int:
        """End every open stream; returns how many there were."""
        count = len(self._subscribers)
        for queue in self._subscribers:
            queue.put_nowait(_CLOSE)
        self._subscribers.clear()
        return count


async def _frames(
    log: EventLog,
    queue: asyncio.Queue[Event | None],
    backlog: list[Event] | None,
    ping_interval: float,
) -> AsyncIterator[bytes]:
    try:
        if backlog is None:
            yield RESET_FRAME
        else:
            for event in backlog:
                yield event.encode()
        while True:
            try:
                received: Event | None = await asyncio.wait_for(queue.get(), ping_interval)
            except TimeoutError:
                yield PING_FRAME
                continue
            if received is None:
                return
            yield received.encode()
    finally:
        log.unsubscribe(queue)


def events_router(log: EventLog, ping_interval: float = DEFAULT_PING_INTERVAL) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/events")
    async def stream_events(request: Request) -> StreamingResponse:
        # Subscribe before answering so that nothing emitted after the headers is missed.
        queue = log.subscribe()
        backlog = log.since(request.headers.get("last-event-id"))
        return StreamingResponse(
            _frames(log, queue, backlog, ping_interval),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    return router
