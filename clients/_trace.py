"""The record of one request's downstream calls: what was called, how it was served, how long."""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum


# Trace and span ids must be unique, not secret: the PRNG avoids a syscall per call.
def new_span_id() -> str:
    return f"{random.getrandbits(64) or 1:016x}"


class CacheOutcome(StrEnum):
    HIT = "hit"  # answered from the cache, no call
    MISS = "miss"  # fetched, and stored if cacheable
    REVALIDATED = "revalidated"  # 304: the stored answer is still good
    STALE = "stale"  # the service failed; an expired answer was served instead
    COALESCED = "coalesced"  # shared another request's call in flight
    BYPASS = "bypass"  # not a cacheable call (a POST)


@dataclass(slots=True)
class CallRecord:
    service: str
    route: str
    batch_size: int | None
    cache: CacheOutcome
    started_s: float
    duration_ms: float = 0.0
    status: int | None = None
    retries: int = 0
    error: str | None = None
    stale_age_s: float | None = None
    # The span id this call's ``traceparent`` carries (its span in the request's trace).
    span_id: str = ""


# The call the current task is making, so that its request headers name the call's span.
_current_call: ContextVar[tuple[CallTrace, CallRecord] | None] = ContextVar(
    "current_call", default=None
)


@dataclass
class CallTrace:
    """Appended to by the transport; read by the edge for extensions, logs and metrics."""

    calls: list[CallRecord] = field(default_factory=list)
    origin_s: float = field(default_factory=time.perf_counter)

    def start(
        self, service: str, route: str, batch_size: int | None, cache: CacheOutcome
    ) -> CallRecord:
        record = CallRecord(
            service, route, batch_size, cache, time.perf_counter(), span_id=new_span_id()
        )
        self.calls.append(record)
        _current_call.set((self, record))
        return record

    def current_span_id(self) -> str | None:
        """The span id of the call this task is making for this trace, if any."""
        current = _current_call.get()
        if current is None or current[0] is not self:
            return None
        return current[1].span_id

    @staticmethod
    def finish(record: CallRecord, status: int | None = None, error: str | None = None) -> None:
        record.duration_ms = (time.perf_counter() - record.started_s) * 1000
        record.status = status
        record.error = error

    @property
    def stale_age_s(self) -> float | None:
        ages = [c.stale_age_s for c in self.calls if c.stale_age_s is not None]
        return max(ages) if ages else None

    @property
    def network_calls(self) -> int:
        served_locally = (CacheOutcome.HIT, CacheOutcome.STALE, CacheOutcome.COALESCED)
        return sum(1 for c in self.calls if c.cache not in served_locally or c.retries)
