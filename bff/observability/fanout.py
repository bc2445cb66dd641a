"""``extensions.fanout``, for developers: the downstream calls a request made, in order, with
their batch sizes, cache outcomes and timings. Development only."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from clients._trace import CallRecord, CallTrace
from schema.context import RequestContext

FANOUT_HEADER = "x-bff-fanout"


class Fanout(SchemaExtension):
    """Adds ``fanout`` when ``always`` (``BFF_FANOUT``) or when the request asks for it with
    ``X-BFF-Fanout: 1``. Only ever installed in development."""

    def __init__(self, *, always: bool) -> None:
        self.always = always

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, RequestContext) or context.call.trace is None:
            return {}
        if not (self.always or _asked_for(context)):
            return {}
        return {"fanout": fanout_view(context.call.trace)}


def _asked_for(context: RequestContext) -> bool:
    request = getattr(context, "request", None)
    headers = getattr(request, "headers", None)
    return headers is not None and headers.get(FANOUT_HEADER) in ("1", "true")


def fanout_view(trace: CallTrace) -> dict[str, Any]:
    calls = list(trace.calls)
    return {
        "count": len(calls),
        "networkCalls": trace.network_calls,
        "calls": [_call(call, trace.origin_s) for call in calls],
    }


def _call(call: CallRecord, origin_s: float) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "service": call.service,
        "endpoint": call.route,
        "batchSize": call.batch_size,
        "cache": call.cache.value,
        "status": call.status,
        "retries": call.retries,
        "startMs": round((call.started_s - origin_s) * 1000, 2),
        "durationMs": round(call.duration_ms, 2),
    }
    if call.error is not None:
        entry["error"] = call.error
    return entry
