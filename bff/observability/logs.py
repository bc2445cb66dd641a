"""Logs: one line per GraphQL HTTP request, as JSON in production and readable text in
development, and the process-wide logging set-up for both formats."""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff.settings import Settings

REQUEST_LOGGER = "bff.request"
log = logging.getLogger(REQUEST_LOGGER)

# The attribute of a log record that holds its structured fields.
FIELDS = "fields"


def user_hash(user_id: str | None) -> str | None:
    """A stable pseudonym for a customer id: logs can be correlated, not read back."""
    if user_id is None:
        return None
    return hashlib.sha256(user_id.encode()).hexdigest()[:16]


@dataclass(slots=True)
class OperationObservation:
    """What one executed operation of the request contributes to its log line."""

    client: str
    operation: str | None
    operation_type: str | None
    user_hash: str | None
    downstream_calls: int
    network_calls: int
    error_codes: list[str]


@dataclass(slots=True)
class RequestObservation:
    """Filled by the GraphQL extension while the request runs (``request.state.observation``)."""

    operations: list[OperationObservation] = field(default_factory=list)


class RequestLogMiddleware:
    """Logs each HTTP request to a GraphQL endpoint once it has been answered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/graphql"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        observation = RequestObservation()
        scope.setdefault("state", {})["observation"] = observation
        status = 500
        request_id = None
        logged = False

        def log_request() -> None:
            nonlocal logged
            logged = True
            duration_ms = (time.perf_counter() - started) * 1000
            rid = request_id or scope["state"].get("request_id")
            fields = request_fields(scope, observation, status, duration_ms, rid)
            log.info("%s %s %s", scope["method"], scope["path"], status, extra={FIELDS: fields})

        async def send_noting_status(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name == b"x-request-id":
                        request_id = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last chunk goes out: once the app has its answer, the line is there.
                log_request()
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            if not logged:  # the client went away, or the app failed before answering
                log_request()


def request_fields(
    scope: Scope,
    observation: RequestObservation,
    status: int,
    duration_ms: float,
    request_id: str | None,
) -> dict[str, Any]:
    ops = observation.operations
    names = [op.operation or "anonymous" for op in ops]
    codes = sorted({code for op in ops for code in op.error_codes})
    client = ops[0].client if ops else scope["path"].strip("/").split("/", 1)[0]
    return {
        "request_id": request_id,
        "client": client,
        "operation": ",".join(names) if names else None,
        "operation_type": ops[0].operation_type if len(ops) == 1 else None,
        "user": next((op.user_hash for op in ops if op.user_hash), None),
        "method": scope["method"],
        "path": scope["path"],
        "status": status,
        "duration_ms": round(duration_ms, 2),
        "downstream_calls": sum(op.downstream_calls for op in ops),
        "network_calls": sum(op.network_calls for op in ops),
        "error_codes": codes,
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the message, then the fields as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s  %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            shown = " ".join(f"{k}={v}" for k, v in fields.items() if v not in (None, [], ""))
            line = f"{line}  {shown}"
        return line


def configure_logging(settings: Settings) -> None:
    """Route every logger (uvicorn's too) to one stdout handler in the configured format."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = JsonFormatter() if settings.effective_log_format == "json" else TextFormatter()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # httpx logs every downstream call at info, with its URL: the request's one line already
    # counts them (and the fan-out view lists them), so only their warnings are kept.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
