"""When and how soon a failed call may be sent again, and how many retries a service can take."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass

from clients._exceptions import DownstreamUnavailable, MalformedResponse

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


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
        if getattr(error, "fail_fast", False):
            return False  # the breaker is open or the bulkhead full: retrying adds load
        # No status: the network failed (refused, reset, dropped, timed out).
        return error.status is None or error.status in self.statuses

    def delay_s(self, attempt: int, retry_after_s: float | None = None) -> float:
        if retry_after_s is not None:
            return retry_after_s
        return random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


class RetryBudget:
    """Retries may add at most ``ratio`` of the calls of a sliding window, plus a small floor.

    During an outage every call fails; without a budget, retries would multiply the load on a
    service that is already struggling.
    """

    def __init__(self, ratio: float = 0.1, floor: int = 10, window_s: float = 10.0) -> None:
        self.ratio = ratio
        self.floor = floor
        self.window_s = window_s
        self._calls: deque[float] = deque()
        self._retries: deque[float] = deque()
        self.refused = 0

    def record_call(self) -> None:
        now = time.monotonic()
        self._calls.append(now)
        self._trim(now)

    def try_spend(self) -> bool:
        now = time.monotonic()
        self._trim(now)
        if len(self._retries) < self.floor + self.ratio * len(self._calls):
            self._retries.append(now)
            return True
        self.refused += 1
        return False

    def _trim(self, now: float) -> None:
        horizon = now - self.window_s
        for window in (self._calls, self._retries):
            while window and window[0] < horizon:
                window.popleft()
