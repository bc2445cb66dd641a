"""Fault injection and call statistics for one mock service, and the admin routes that drive them.

Faults fire before the handler, so a failed `POST /v1/orders` never creates an order.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mocks.events import EventLog
from mocks.latency import sleep_until
from mocks.problems import PROBLEM_MEDIA_TYPE, STATUS_CODES, problem_body

ADMIN_PREFIX = "/__admin"
HEALTH_PATH = "/healthz"
EVENTS_PATH = "/v1/events"
DROP_LOG_MESSAGE = "ASGI callable returned without completing response."

_PATH_PARAM = re.compile(r"\{[^}]*\}")
_METHODS = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS"


class FaultConfig(BaseModel):
    """What `PUT /__admin/faults` sets; every field defaults to "no fault"."""

    model_config = ConfigDict(extra="forbid")

    latency_ms: int = Field(0, ge=0, le=600_000)
    jitter_ms: int = Field(0, ge=0, le=600_000)
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    error_status: int = Field(503, ge=400, le=599)
    retry_after: int | None = Field(None, ge=0)
    outage: bool = False
    drop_rate: float = Field(0.0, ge=0.0, le=1.0)
    match: str | None = Field(None, pattern=rf"^({_METHODS}) /\S*$")
    times: int | None = Field(None, ge=0)

    def matches(self, method: str, path: str) -> bool:
        if self.match is None:
            return True
        wanted_method, _, prefix = self.match.partition(" ")
        return method == wanted_method and path.startswith(prefix)


@dataclass
class EndpointStats:
    calls: int = 0
    ids: int = 0


@dataclass
class ServiceControl:
    """The faults and call counts of one service."""

    faults: FaultConfig = field(default_factory=FaultConfig)
    endpoints: dict[str, EndpointStats] = field(default_factory=lambda: defaultdict(EndpointStats))
    total: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def record(self, key: str, ids: int) -> None:
        stats = self.endpoints[key]
        stats.calls += 1
        stats.ids += ids
        if not key.endswith(f" {EVENTS_PATH}"):
            self.total += 1

    def reset_stats(self) -> None:
        self.endpoints.clear()
        self.total = 0

    def stats_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "endpoints": {
                key: {"calls": s.calls, "ids": s.ids} for key, s in sorted(self.endpoints.items())
            },
        }

    def take_fault(self, method: str, path: str) -> FaultConfig | None:
        """The faults to apply to this request, using up one of `times`."""
        faults = self.faults
        if faults == FaultConfig() or not faults.matches(method, path):
            return None
        if faults.times is not None:
            if faults.times == 0:
                return None
            self.faults = faults.model_copy(update={"times": faults.times - 1})
        return faults


def _ids_requested(query_string: bytes) -> int:
    from urllib.parse import parse_qsl

    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return sum(
        len([i for i in value.split(",") if i])
        for name, value in pairs
        if name in ("ids", "order_ids")
    )


class FaultMiddleware:
    """Counts contract calls, then delays, fails or drops them as the fault config says."""

    def __init__(self, app: ASGIApp, control: ServiceControl, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.control = control
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrived = time.perf_counter()
        path: str = scope["path"]
        method: str = scope["method"]
        if path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        if path == HEALTH_PATH:
            faults = self.control.faults
            if faults.outage and faults.matches(method, path):
                await self._fail(send, 503, faults.retry_after)
            else:
                await self.app(scope, receive, send)
            return
        self.control.record(
            f"{method} {self._template(scope)}", _ids_requested(scope["query_string"])
        )
        fault = self.control.take_fault(method, path)
        if fault is None:
            await self.app(scope, receive, send)
            return
        delay_s = (fault.latency_ms + self.control.rng.uniform(0, fault.jitter_ms)) / 1000
        failure = self._failure(fault)
        if failure is not None:
            # Failures fire before the handler: a failed POST /v1/orders creates no order.
            if delay_s:
                await sleep_until(arrived + delay_s)
            await failure(send)
            return
        answer = _answering_at(send, arrived + delay_s) if delay_s else send
        await self.app(scope, receive, answer)

    def _template(self, scope: Scope) -> str:
        for route in self.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                # Stats keys name every path parameter `{id}`: `GET /v1/restaurants/{id}/menu`.
                return _PATH_PARAM.sub("{id}", str(getattr(route, "path", scope["path"])))
        return str(scope["path"])

    def _failure(self, faults: FaultConfig) -> Callable[[Send], Awaitable[None]] | None:
        """How this request fails, if it does (drawn now: the handler must not run then)."""
        if faults.outage:
            return partial(self._fail, status=503, retry_after=faults.retry_after)
        if faults.drop_rate and self.control.rng.random() < faults.drop_rate:
            return _drop
        if faults.error_rate and self.control.rng.random() < faults.error_rate:
            return partial(self._fail, status=faults.error_status, retry_after=faults.retry_after)
        return None

    async def _fail(self, send: Send, status: int, retry_after: int | None) -> None:
        code = STATUS_CODES.get(status, "INTERNAL_ERROR" if status >= 500 else "VALIDATION_ERROR")
        body = problem_body(status, code, f"injected fault: {status}")
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _answering_at(send: Send, deadline: float) -> Send:
    """``send`` that holds the answer until ``deadline`` (``time.perf_counter``).

    The handler works meanwhile, as a real service's would, so the latency is the time from
    the request's arrival to the answer (the benchmarks' floor assumes so), not a wait added
    before the work.
    """

    async def send_after(message: Message) -> None:
        if message["type"] == "http.response.start":
            await sleep_until(deadline)
        await send(message)

    return send_after


async def _drop(send: Send) -> None:
    # Promise a body and stop half-way: the server closes the connection mid-response.
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"items": [', "more_body": True})


class DroppedResponseFilter(logging.Filter):
    """Keeps the server's complaint about deliberately dropped responses out of the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != DROP_LOG_MESSAGE


def quiet_dropped_responses() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DroppedResponseFilter) for f in logger.filters):
        logger.addFilter(DroppedResponseFilter())


def admin_router(control: ServiceControl, logs: list[EventLog]) -> APIRouter:
    """The admin routes every mock service has."""
    router = APIRouter(prefix=ADMIN_PREFIX)

    @router.get("/faults")
    async def get_faults() -> dict[str, Any]:
        return control.faults.model_dump()

    @router.put("/faults")
    async def put_faults(config: FaultConfig) -> dict[str, Any]:
        control.faults = config
        return config.model_dump()

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        control.faults = FaultConfig()
        return control.faults.model_dump()

    @router.get("/stats")
    async def get_stats() -> dict[str, Any]:
        return control.stats_json()

    @router.post("/stats/reset")
    async def reset_stats() -> dict[str, Any]:
        control.reset_stats()
        return control.stats_json()

    @router.post("/reset")
    async def reset() -> dict[str, Any]:
        control.faults = FaultConfig()
        control.reset_stats()
        return {"faults": control.faults.model_dump(), "stats": control.stats_json()}

    @router.post("/events/disconnect")
    async def disconnect() -> dict[str, Literal["ok"] | int]:
        closed = sum(log.disconnect_all() for log in logs)
        return {"status": "ok", "disconnected": closed}

    return router
