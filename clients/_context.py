"""What each downstream call carries about the GraphQL request it is made for."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from clients._trace import CallTrace, new_span_id


# Trace ids must be unique, not secret: the PRNG avoids a syscall per request.
def new_trace_id() -> str:
    return f"{random.getrandbits(128) or 1:032x}"


def new_request_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class CallContext:
    """Per-request metadata propagated to every downstream call as headers."""

    client: str
    request_id: str = field(default_factory=new_request_id)
    trace_id: str = field(default_factory=new_trace_id)
    user_id: str | None = None
    # Absolute deadline on the event loop's clock (``loop.time()``); ``None`` means none.
    deadline: float | None = None
    # Where the transport notes each call made for this request (None: not recorded).
    trace: CallTrace | None = None
    # Ask the service itself, never a cached answer (live tracking wants the latest state).
    bypass_cache: bool = False
    # The caller's span (from its ``traceparent``), parent of the BFF's operation span.
    parent_span_id: str | None = None

    def headers(self) -> dict[str, str]:
        # Each call is its own child span of the incoming trace: same trace id, the call's span
        # id as recorded in the call trace (its span in the BFF's trace), else a new one.
        span_id = self.trace.current_span_id() if self.trace is not None else None
        headers = {
            "X-Request-Id": self.request_id,
            "traceparent": f"00-{self.trace_id}-{span_id or new_span_id()}-01",
            "X-Client": self.client,
        }
        if self.user_id is not None:
            headers["X-User-Id"] = self.user_id
        return headers
