"""A service's Server-Sent Events stream, consumed for as long as it is needed.

The consumer reconnects after any drop with ``Last-Event-ID`` so that no event is lost, and
reports ``stream.reset`` when the service could not replay what was missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from clients._connections import DownstreamClient
from clients._context import CallContext
from clients._transport import TransportConfig

log = logging.getLogger("clients.events")

STREAM_RESET = "stream.reset"
# The contract promises a ping at least every 15 s: silence for longer means a dead stream.
SILENCE_LIMIT_S = 45.0


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    type: str
    data: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class _Frame:
    """The fields of one SSE event as its lines arrive."""

    id: str | None = None
    type: str = "message"
    data: list[str] = field(default_factory=list)

    def event(self) -> ServiceEvent | None:
        if self.type == STREAM_RESET:
            return ServiceEvent(STREAM_RESET)
        if not self.data:
            return None
        try:
            data = orjson.loads("\n".join(self.data))
        except orjson.JSONDecodeError:
            return None
        if not isinstance(data, dict):
            return None
        event_id = int(self.id) if self.id is not None and self.id.isdigit() else None
        return ServiceEvent(self.type, data, event_id)


def parse_lines(lines: list[str], frame: _Frame) -> tuple[list[ServiceEvent], _Frame]:
    """Feed SSE lines; return the complete events and the frame still being read."""
    events: list[ServiceEvent] = []
    for line in lines:
        if not line:
            event = frame.event()
            if event is not None:
                events.append(event)
            frame = _Frame()
            continue
        if line.startswith(":"):
            continue  # a comment: keep-alive
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            frame.id = value
        elif name == "event":
            frame.type = value
        elif name == "data":
            frame.data.append(value)
    return events, frame


class EventStream:
    """Yields a service's events forever, across reconnections, until cancelled."""

    def __init__(
        self,
        service: str,
        config: TransportConfig,
        ctx: CallContext,
        *,
        http_transport: httpx.AsyncBaseTransport | None = None,
        min_backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.service = service
        self._ctx = ctx
        self._http = DownstreamClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(SILENCE_LIMIT_S, connect=config.connect_timeout_s),
            transport=http_transport,
        )
        self._min_backoff = min_backoff_s
        self._max_backoff = max_backoff_s
        self.last_event_id: int | None = None
        self.connected = asyncio.Event()

    async def events(self) -> AsyncIterator[ServiceEvent]:
        backoff = self._min_backoff
        while True:
            try:
                async for event in self._one_connection():
                    backoff = self._min_backoff
                    yield event
            except (httpx.HTTPError, OSError) as exc:
                log.warning("%s events: %s; reconnecting", self.service, type(exc).__name__)
            self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(self._max_backoff, backoff * 2)

    async def _one_connection(self) -> AsyncIterator[ServiceEvent]:
        headers = self._ctx.headers() | {"Accept": "text/event-stream"}
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        async with self._http.stream("GET", "/v1/events", headers=headers) as response:
            if response.status_code != 200:
                log.warning("%s events: answered %s", self.service, response.status_code)
                return
            self.connected.set()
            frame = _Frame()
            async for line in response.aiter_lines():
                events, frame = parse_lines([line], frame)
                for event in events:
                    if event.id is not None:
                        self.last_event_id = event.id
                    yield event

    async def aclose(self) -> None:
        await self._http.aclose()
