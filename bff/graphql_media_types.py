"""GraphQL-over-HTTP response media types: which one a client accepts, and the status codes
that go with ``application/graphql-response+json``."""

from __future__ import annotations

from strawberry.types import ExecutionResult

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str | None) -> str:
    """``application/graphql-response+json`` when the client names it at least as highly as
    ``application/json``; otherwise (no ``Accept``, ``*/*``) the legacy ``application/json``."""
    ranges = _media_ranges(accept or "")
    named = ranges.get(GRAPHQL_RESPONSE_JSON, 0.0)
    json_q = ranges.get(JSON, ranges.get("application/*", ranges.get("*/*", 0.0)))
    return GRAPHQL_RESPONSE_JSON if named > 0 and named >= json_q else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Parsing, validation or variable coercion failed, so nothing was executed: the spec's
    request error. Field errors always carry a path; request errors never do."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def _media_ranges(accept: str) -> dict[str, float]:
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges[media_range.lower()] = max(quality, ranges.get(media_range.lower(), 0.0))
    return ranges
