"""A request's objects freed after its response has gone out, not before.

When the endpoint returns, FastAPI drops the request's GraphQL context, and with it the
loaders, their futures and every private answer they decoded: a few thousand objects for a
page of orders, freed one by one by reference counting between the endpoint's return and the
response's first byte, on the critical path of every request. Kept here until the response is
sent, they are freed after it: a turn of the event loop later when no other request is in
flight, at once under load (``bench/latency_ab.py`` and ``bench/repeat.py`` measure each).
"""

from __future__ import annotations

import asyncio

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

_KEPT = "kept_until_sent"


class ReleaseAfterResponse:
    """Pure ASGI middleware: holds what ``keep_until_sent`` was given until the app returns
    (its response sent), then lets it go, breaking the cycle it makes through the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kept: list[object] = []
        scope.setdefault("state", {})[_KEPT] = kept
        self._in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._in_flight -= 1
            if self._in_flight:
                # Under load, at once, while they are still in the CPU's caches: freed a turn
                # later, after the other requests' work, they cost more than the turn saves.
                # (An open event stream counts as in flight: beside one, requests take this
                # branch, which only forgoes the idle case's gain.)
                kept.clear()
            else:
                # Alone, a turn of the event loop later: uvloop writes what was sent at the end
                # of the turn, so freeing them now would still hold the answer back.
                asyncio.get_running_loop().call_soon(kept.clear)


def keep_until_sent(connection: HTTPConnection, value: object) -> None:
    """Keep ``value`` alive until this request's response has been sent (HTTP only: outside
    ``ReleaseAfterResponse``, or on a WebSocket, nothing is kept)."""
    kept: list[object] | None = connection.scope.get("state", {}).get(_KEPT)
    if kept is not None:
        kept.append(value)
