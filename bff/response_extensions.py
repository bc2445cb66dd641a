"""What a response says about how it was served, under ``extensions``."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from schema.context import RequestContext


class ServedStale(SchemaExtension):
    """``stale: true`` with the age when part of the data came from an expired cache entry
    because its service failed (stale-if-error)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, RequestContext) or context.call.trace is None:
            return {}
        age = context.call.trace.stale_age_s
        if age is None:
            return {}
        return {"stale": True, "staleAgeSeconds": round(age, 1)}
