"""Request ids and W3C trace context taken from the incoming request, or made up."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clients._context import new_request_id, new_trace_id

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# fullmatch, not ``$``: ``$`` also matches before a trailing newline, which must not reach a header.
# Version ``ff`` and an all-zero trace or parent id are invalid (W3C Trace Context).
_TRACEPARENT = re.compile(
    r"(?!ff)[0-9a-f]{2}-(?!0{32})([0-9a-f]{32})-(?!0{16})([0-9a-f]{16})-[0-9a-f]{2}"
)


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to log and forward; a new one otherwise."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return new_request_id()


def trace_id_from(traceparent: str | None) -> str:
    """The trace id of the caller's ``traceparent`` so downstream calls continue its trace."""
    match = _TRACEPARENT.fullmatch(traceparent.strip().lower()) if traceparent else None
    if match is None:
        return new_trace_id()
    return match.group(1)


def parent_span_id_from(traceparent: str | None) -> str | None:
    """The caller's span id in a valid ``traceparent``: the parent of the operation's span."""
    match = _TRACEPARENT.fullmatch(traceparent.strip().lower()) if traceparent else None
    return match.group(2) if match else None


class RequestIdMiddleware:
    """Gives every request an id (``request.state.request_id``) and echoes it as a header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = request_id_from(incoming)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)
