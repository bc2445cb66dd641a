"""The SSE consumer: parsing, reconnection with Last-Event-ID, and stream resets."""

from __future__ import annotations

import asyncio

import httpx
import respx

from clients import CallContext, TransportConfig
from clients.events import STREAM_RESET, EventStream, ServiceEvent, _Frame, parse_lines

URL = "http://order.test"


def sse(*events: str) -> bytes:
    return "".join(events).encode()


def test_parse_lines_builds_events_and_skips_comments() -> None:
    lines = [
        ": ping",
        "id: 7",
        "event: order.status_changed",
        'data: {"order_id": "o_1", "status": "ACCEPTED"}',
        "",
        "event: stream.reset",
        "data: {}",
        "",
        "id: 8",
        "event: order.created",
        "data: not json",
        "",
    ]
    events, frame = parse_lines(lines, _Frame())
    assert events == [
        ServiceEvent("order.status_changed", {"order_id": "o_1", "status": "ACCEPTED"}, 7),
        ServiceEvent(STREAM_RESET),
    ]
    assert frame.data == []


def test_multi_line_data_is_joined() -> None:
    events, _ = parse_lines(["id: 1", "event: x", 'data: {"a":', "data: 1}", ""], _Frame())
    assert events == [ServiceEvent("x", {"a": 1}, 1)]


async def test_reconnects_with_last_event_id_and_reports_a_reset() -> None:
    seen_headers: list[str | None] = []
    bodies = [
        sse(
            'id: 1\nevent: order.created\ndata: {"order_id": "o_1"}\n\n',
            'id: 2\nevent: order.status_changed\ndata: {"order_id": "o_1"}\n\n',
        ),
        sse("event: stream.reset\ndata: {}\n\n", "id: 9\nevent: order.created\ndata: {}\n\n"),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        seen_headers.append(request.headers.get("Last-Event-ID"))
        body = bodies.pop(0) if bodies else b""
        return httpx.Response(200, content=body, headers={"Content-Type": "text/event-stream"})

    with respx.mock(assert_all_called=False) as router:
        router.get(f"{URL}/v1/events").mock(side_effect=answer)
        stream = EventStream(
            "order", TransportConfig(URL), CallContext(client="web"), min_backoff_s=0.01
        )
        received: list[ServiceEvent] = []

        async def read() -> None:
            async for event in stream.events():
                received.append(event)
                if len(received) == 4:
                    return

        await asyncio.wait_for(read(), 5)
        await stream.aclose()

    assert [e.type for e in received] == [
        "order.created",
        "order.status_changed",
        STREAM_RESET,
        "order.created",
    ]
    assert seen_headers[:2] == [None, "2"]
    assert stream.last_event_id == 9


async def test_keeps_retrying_while_the_service_is_down() -> None:
    attempts = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise httpx.ConnectError("refused")
        if attempts == 3:
            return httpx.Response(503)
        return httpx.Response(200, content=b"id: 1\nevent: x\ndata: {}\n\n")

    with respx.mock() as router:
        router.get(f"{URL}/v1/events").mock(side_effect=answer)
        stream = EventStream(
            "order", TransportConfig(URL), CallContext(client="web"), min_backoff_s=0.01
        )
        first = await asyncio.wait_for(anext(stream.events()), 5)
        await stream.aclose()
    assert first == ServiceEvent("x", {}, 1)
    assert attempts == 4
