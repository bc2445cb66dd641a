"""RFC 9457 problem details: the error type raised by the mocks and the handlers that render it.

Every refusal, including the framework's own (unknown route, wrong method), leaves as problem+json.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

PROBLEM_MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

# The stable code a bare status maps to when nothing more specific is known.
STATUS_CODES = {
    400: "VALIDATION_ERROR",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


class ProblemError(Exception):
    """A refusal that becomes a problem+json response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.headers = headers or {}


def bad_request(detail: str, field: str | None = None) -> ProblemError:
    return ProblemError(400, "VALIDATION_ERROR", detail, field=field)


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, "NOT_FOUND", detail)


def problem_body(status: int, code: str, detail: str, field: str | None = None) -> bytes:
    body: dict[str, Any] = {
        "type": f"https://errors.food.example/{code.lower().replace('_', '-')}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if field is not None:
        body["field"] = field
    return orjson.dumps(body)


def problem_response(error: ProblemError) -> Response:
    return Response(
        problem_body(error.status, error.code, error.detail, error.field),
        status_code=error.status,
        headers=error.headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


def _field_of(location: tuple[Any, ...]) -> str | None:
    # FastAPI locations start with where the value came from ("body", "query", ...).
    parts = [str(p) for p in location[1:]]
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or None


async def _on_problem(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc)


async def _on_validation(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    field = _field_of(tuple(first.get("loc", ())))
    detail = str(first.get("msg", "invalid input"))
    return problem_response(ProblemError(400, "VALIDATION_ERROR", detail, field=field))


async def _on_http(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code if 400 <= exc.status_code < 600 else 500
    code = STATUS_CODES.get(status, "VALIDATION_ERROR" if status < 500 else "INTERNAL_ERROR")
    error = ProblemError(status, code, str(exc.detail), headers=dict(exc.headers or {}))
    return problem_response(error)


async def _on_unexpected(_: Request, exc: Exception) -> Response:
    return problem_response(ProblemError(500, "INTERNAL_ERROR", f"unexpected {type(exc).__name__}"))


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app can raise answer as problem+json."""
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)
