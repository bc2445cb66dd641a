"""JSON responses with the contract's caching headers: Cache-Control, strong ETag and 304s."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

PUBLIC_60 = "public, max-age=60"
PUBLIC_30 = "public, max-age=30"
PUBLIC_300 = "public, max-age=300"
PRIVATE_2 = "private, max-age=2"
PRIVATE_NO_STORE = "private, no-store"


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def if_none_match_hits(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header matches `etag` (weak comparison, as RFC 9110 asks)."""
    if header is None:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in header.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def json_response(
    request: Request,
    payload: Any,
    cache_control: str,
    *,
    etag: bool = False,
    status_code: int = 200,
) -> Response:
    body = orjson.dumps(payload)
    headers = {"Cache-Control": cache_control}
    if etag:
        tag = strong_etag(body)
        headers["ETag"] = tag
        if request.method in ("GET", "HEAD") and if_none_match_hits(
            request.headers.get("if-none-match"), tag
        ):
            return Response(status_code=304, headers=headers)
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")
