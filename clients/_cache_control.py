"""What a response's ``Cache-Control`` allows: who may reuse it, and for how long."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    PUBLIC = "public"  # any caller may be served it
    PRIVATE = "private"  # only the user it was fetched for
    NO_STORE = "no-store"  # never stored


@dataclass(frozen=True, slots=True)
class Freshness:
    scope: Scope
    max_age_s: float

    @property
    def storable(self) -> bool:
        return self.scope is not Scope.NO_STORE and self.max_age_s > 0


NOT_STORABLE = Freshness(Scope.NO_STORE, 0)


def parse_cache_control(header: str | None) -> Freshness:
    """Conservative reading: anything unclear is not stored, or stored only per user."""
    if not header:
        return NOT_STORABLE
    directives: dict[str, str | None] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"') or None
    if "no-store" in directives or "no-cache" in directives:
        return NOT_STORABLE
    try:
        max_age = float(directives.get("max-age") or directives.get("s-maxage") or 0)
    except ValueError:
        return NOT_STORABLE
    scope = (
        Scope.PUBLIC if "public" in directives and "private" not in directives else Scope.PRIVATE
    )
    return Freshness(scope, max(0.0, max_age))
