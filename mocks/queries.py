"""Query-string rules shared by the services: batch `ids`, `limit` and opaque cursors."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from starlette.datastructures import QueryParams

from mocks.problems import bad_request

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def single(params: QueryParams, name: str) -> str | None:
    """A parameter that may appear at most once."""
    values = params.getlist(name)
    if len(values) > 1:
        raise bad_request(f"`{name}` may appear only once", name)
    return values[0] if values else None


def batch_ids(params: QueryParams, name: str, maximum: int) -> list[str] | None:
    """The comma-separated ids of a batch get (duplicates kept), or None when absent."""
    raw = single(params, name)
    if raw is None:
        return None
    ids = raw.split(",")
    if not any(ids):
        raise bad_request(f"`{name}` must name at least one id", name)
    if len(ids) > maximum:
        raise bad_request(f"`{name}` takes at most {maximum} ids, got {len(ids)}", name)
    return ids


def page_limit(params: QueryParams) -> int:
    raw = single(params, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise bad_request(f"`limit` must be an integer from 1 to {MAX_LIMIT}", "limit")
    return int(raw)


def encode_cursor(position: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def decode_cursor(params: QueryParams, shape: tuple[type, ...]) -> list[Any] | None:
    """The keyset position a `cursor` holds, checked against the types it must have."""
    raw = single(params, "cursor")
    if raw is None:
        return None
    try:
        position = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise bad_request("`cursor` is not a cursor this service issued", "cursor") from None
    if (
        not isinstance(position, list)
        or len(position) != len(shape)
        or not all(
            isinstance(v, t) and not isinstance(v, bool)
            for v, t in zip(position, shape, strict=True)
        )
    ):
        raise bad_request("`cursor` is not a cursor this service issued", "cursor")
    return position


def page(items: list[Any], limit: int, key: Any) -> tuple[list[Any], str | None]:
    """The first `limit` of `items` and the cursor after them (None when nothing follows)."""
    chosen = items[:limit]
    follows = len(items) > limit
    return chosen, encode_cursor(key(chosen[-1])) if follows and chosen else None
