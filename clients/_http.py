"""One request on the wire, with every failure mapped to a typed exception."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import msgspec
import orjson

from clients._cache_control import NOT_STORABLE, Freshness, parse_cache_control
from clients._cache_store import StoredResponse
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

M = TypeVar("M")

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


@dataclass(slots=True)
class DownstreamResponse:
    status: int
    content: bytes
    freshness: Freshness = NOT_STORABLE
    etag: str | None = None
    # Set when the answer came from (or went into) the cache: decoding is then done once.
    entry: StoredResponse | None = field(default=None, repr=False)
    from_cache: bool = False
    stale_age_s: float | None = None

    def decode(self, service: str, model: type[M]) -> M:
        if self.entry is not None:
            return decode_stored(service, self.entry, model)
        return _decoded(service, self.content, model)

    @classmethod
    def cached(cls, entry: StoredResponse, stale_age_s: float | None = None) -> DownstreamResponse:
        freshness = Freshness(entry.scope, entry.max_age_s)
        return cls(200, entry.content, freshness, entry.etag, entry, True, stale_age_s)


def decode_stored(service: str, entry: StoredResponse, model: type[M]) -> M:
    """A stored answer as ``model``: decoded once, then kept on the entry for every hit."""
    if entry.decoded is not None and entry.decoded_as is model:
        decoded: M = entry.decoded
        return decoded
    value = _decoded(service, entry.content, model)
    entry.decoded, entry.decoded_as = value, model
    return value


def _decoded(service: str, content: bytes, model: type[M]) -> M:
    try:
        return decoder_for(model).decode(content)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError too
        raise MalformedResponse(service, f"body does not match {_name(model)}") from exc


_DECODERS: dict[object, msgspec.json.Decoder[Any]] = {}


def decoder_for(model: type[M]) -> msgspec.json.Decoder[M]:
    """One decoder per type, built once (generic aliases like ``Page[Order]`` included)."""
    decoder = _DECODERS.get(model)
    if decoder is None:
        decoder = _DECODERS[model] = msgspec.json.Decoder(model)
    return decoder


def _name(model: object) -> str:
    return getattr(model, "__name__", None) or str(model)


def request_url(base_url: str, path: str, params: Mapping[str, str] | None) -> httpx.URL:
    """The absolute URL of a call, parsed once.

    httpx would parse it three times (the path, its merge with the base URL, then the query),
    and would percent-encode every comma of an id list, which makes each parse slower still:
    a batch of 40 ids took about 110 µs to build, now about 40 (``bench/micro.py``). The
    contract splits lists on commas after URL decoding, so a literal comma means the same.
    """
    query = f"?{urlencode(params, safe=',')}" if params else ""
    return httpx.URL(f"{base_url}{path}{query}")


async def send_request(
    http: httpx.AsyncClient,
    service: str,
    method: str,
    url: httpx.URL,
    *,
    content: bytes | None,
    headers: Mapping[str, str],
    wait: httpx.Timeout | None,
) -> DownstreamResponse:
    kwargs: dict[str, Any] = {"timeout": wait} if wait is not None else {}
    try:
        response = await http.request(method, url, content=content, headers=headers, **kwargs)
    except httpx.TimeoutException as exc:
        raise DownstreamTimeout(service, f"{method} timed out") from exc
    except httpx.DecodingError as exc:
        # A body whose Content-Encoding does not decode is a broken answer, not an outage.
        raise MalformedResponse(service, f"{method} answer could not be decoded") from exc
    except httpx.RequestError as exc:
        # Connection refused or reset, or the peer closed mid-answer.
        raise DownstreamUnavailable(service, f"{method} failed: {type(exc).__name__}") from exc
    # An httpx response and its (read, closed) stream refer to each other: parted, the pair and
    # the exchange behind it are freed at once, instead of waiting for the cyclic garbage
    # collector (whose pauses under load were mostly such pairs).
    response.stream = _READ
    return checked(service, response)


_READ = httpx.ByteStream(b"")


def checked(service: str, response: httpx.Response) -> DownstreamResponse:
    status = response.status_code
    if 200 <= status < 300 or status == 304:
        return DownstreamResponse(
            status,
            response.content,
            parse_cache_control(response.headers.get("Cache-Control")),
            response.headers.get("ETag"),
        )
    if status == 429 or status >= 500:
        raise DownstreamUnavailable(
            service,
            f"answered {status}",
            status=status,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    problem = _problem_fields(response.content)
    code = problem.get("code") or _DEFAULT_CODES.get(status, "HTTP_ERROR")
    cls = _PROBLEM_CLASSES.get(status, ProblemError)
    raise cls(
        service,
        status,
        str(code),
        field=_str_or_none(problem.get("field")),
        title=_str_or_none(problem.get("title")),
        detail=_str_or_none(problem.get("detail")),
    )


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
