"""The shared HTTP client of one downstream service and the policies wrapped around a call."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from clients._context import CallContext
from clients._exceptions import (
    BadRequestError,
    ConflictError,
    DownstreamTimeout,
    DownstreamUnavailable,
    MalformedResponse,
    NotFoundError,
    ProblemError,
    UnprocessableError,
)
from clients._retry import RetryPolicy

M = TypeVar("M", bound=BaseModel)

_PROBLEM_CLASSES: dict[int, type[ProblemError]] = {
    400: BadRequestError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
}
_DEFAULT_CODES = {
    400: "VALIDATION_ERROR",
    404: "NOT_FOUND",
    409: "CONFLICT",
    422: "VALIDATION_ERROR",
}


@dataclass(frozen=True, slots=True)
class TransportConfig:
    """How one service is reached: where, and how long to wait."""

    base_url: str
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 2.0
    max_connections: int = 100
    max_keepalive_connections: int = 50


@dataclass(frozen=True, slots=True)
class DownstreamResponse:
    status: int
    headers: httpx.Headers
    content: bytes

    def decode(self, service: str, model: type[M]) -> M:
        try:
            return model.model_validate_json(self.content)
        except ValidationError as exc:
            raise MalformedResponse(service, f"body does not match {model.__name__}") from exc


class ServiceTransport:
    """One service's pooled ``httpx.AsyncClient``; turns every failure into a typed exception."""

    def __init__(
        self,
        service: str,
        config: TransportConfig,
        *,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.service = service
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
            limits=httpx.Limits(
                max_connections=config.max_connections,
                max_keepalive_connections=config.max_keepalive_connections,
            ),
            transport=http_transport,
            follow_redirects=False,
        )

    async def get(
        self, path: str, ctx: CallContext, *, params: Mapping[str, str] | None = None
    ) -> DownstreamResponse:
        return await self.send("GET", path, ctx, params=params)

    async def post(
        self,
        path: str,
        ctx: CallContext,
        *,
        body: Any,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> DownstreamResponse:
        return await self.send("POST", path, ctx, body=body, headers=headers, retry=retry)

    async def send(
        self,
        method: str,
        path: str,
        ctx: CallContext,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> DownstreamResponse:
        """Send a request; with ``retry``, failures the policy allows are sent again as is."""
        attempt = 1
        while True:
            try:
                return await self._send_once(method, path, ctx, params, body, headers)
            except DownstreamUnavailable as error:
                if retry is None or not retry.should_retry(error, attempt):
                    raise
                await asyncio.sleep(retry.delay_s(attempt))
                attempt += 1

    async def _send_once(
        self,
        method: str,
        path: str,
        ctx: CallContext,
        params: Mapping[str, str] | None,
        body: Any,
        headers: Mapping[str, str] | None,
    ) -> DownstreamResponse:
        request_headers = ctx.headers()
        if headers:
            request_headers.update(headers)
        content: bytes | None = None
        if body is not None:
            content = orjson.dumps(body)
            request_headers["Content-Type"] = "application/json"
        try:
            response = await self._http.request(
                method, path, params=params, content=content, headers=request_headers
            )
        except httpx.TimeoutException as exc:
            raise DownstreamTimeout(self.service, f"{method} timed out") from exc
        except httpx.DecodingError as exc:
            # A body whose Content-Encoding does not decode is a broken answer, not an outage.
            raise MalformedResponse(self.service, f"{method} answer could not be decoded") from exc
        except httpx.RequestError as exc:
            # Connection refused or reset, or the peer closed mid-answer.
            raise DownstreamUnavailable(
                self.service, f"{method} failed: {type(exc).__name__}"
            ) from exc
        return self._check(response)

    def _check(self, response: httpx.Response) -> DownstreamResponse:
        status = response.status_code
        if 200 <= status < 300 or status == 304:
            return DownstreamResponse(status, response.headers, response.content)
        if status == 429 or status >= 500:
            raise DownstreamUnavailable(
                self.service,
                f"answered {status}",
                status=status,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        problem = _problem_fields(response.content)
        code = problem.get("code") or _DEFAULT_CODES.get(status, "HTTP_ERROR")
        cls = _PROBLEM_CLASSES.get(status, ProblemError)
        raise cls(
            self.service,
            status,
            str(code),
            field=_str_or_none(problem.get("field")),
            title=_str_or_none(problem.get("title")),
            detail=_str_or_none(problem.get("detail")),
        )

    async def aclose(self) -> None:
        await self._http.aclose()


def _problem_fields(content: bytes) -> dict[str, Any]:
    # A proxy may answer with HTML or nothing at all: take what is there, never fail on it.
    try:
        parsed = orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # An HTTP-date is allowed by HTTP but the contract promises seconds.
    return seconds if seconds >= 0 else None
