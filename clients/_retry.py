"""When and how soon a failed call may be sent again."""

from __future__ import annotations

import random
from dataclasses import dataclass

from clients._exceptions import DownstreamUnavailable, MalformedResponse

RETRYABLE_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of a call that is safe to repeat: exponential backoff with full jitter."""

    attempts: int = 3
    base_delay_s: float = 0.05
    max_delay_s: float = 0.5
    statuses: frozenset[int] = RETRYABLE_STATUSES

    def should_retry(self, error: DownstreamUnavailable, attempt: int) -> bool:
        if attempt >= self.attempts or isinstance(error, MalformedResponse):
            return False
        # No status: the network failed (refused, reset, dropped, timed out).
        return error.status is None or error.status in self.statuses

    def delay_s(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))
