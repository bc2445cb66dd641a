"""A circuit breaker per service: stop calling a service that keeps failing, probe it later."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    window_s: float = 10.0
    min_calls: int = 10
    failure_ratio: float = 0.5
    open_s: float = 5.0
    half_open_probes: int = 2


class CircuitBreaker:
    """Opens when the failure rate over a window passes the threshold (with a minimum of calls).

    While open, calls fail fast; after ``open_s`` a few probes go through (half-open), and the
    breaker closes once they all succeed, or opens again on the first failure.
    """

    def __init__(self, config: BreakerConfig) -> None:
        self.config = config
        self._now = time.monotonic
        self._outcomes: deque[tuple[float, bool]] = deque()
        # Failures among ``_outcomes``, kept as they come and go: a busy service's window
        # holds thousands of calls, too many to count on every call.
        self._failures = 0
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._probes_in_flight = 0
        self._probe_successes = 0
        self.opened_count = 0

    @property
    def state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._now() - self._opened_at >= self.config.open_s:
            self._state = BreakerState.HALF_OPEN
            self._probes_in_flight = 0
            self._probe_successes = 0
        return self._state

    def allow(self) -> bool:
        """Whether a call may go out now; a half-open breaker lets a few probes through."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        if self._probes_in_flight < self.config.half_open_probes:
            self._probes_in_flight += 1
            return True
        return False

    def release(self) -> None:
        """A call let through by ``allow()`` never got an answer (refused by the bulkhead,
        cancelled): give its probe back, or a half-open breaker would wait for it forever."""
        if self._state is BreakerState.HALF_OPEN:
            self._probes_in_flight = max(0, self._probes_in_flight - 1)

    def record(self, success: bool) -> None:
        now = self._now()
        if self._state is BreakerState.HALF_OPEN:
            self._probes_in_flight = max(0, self._probes_in_flight - 1)
            if not success:
                self._open(now)
                return
            self._probe_successes += 1
            if self._probe_successes >= self.config.half_open_probes:
                self._state = BreakerState.CLOSED
                self._forget()
            return
        self._outcomes.append((now, success))
        self._failures += not success
        self._trim(now)
        calls = len(self._outcomes)
        if (
            self._state is BreakerState.CLOSED
            and calls >= self.config.min_calls
            and self._failures / calls >= self.config.failure_ratio
        ):
            self._open(now)

    def _open(self, now: float) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = now
        self._forget()
        self.opened_count += 1

    def _forget(self) -> None:
        self._outcomes.clear()
        self._failures = 0

    def _trim(self, now: float) -> None:
        horizon = now - self.config.window_s
        while self._outcomes and self._outcomes[0][0] < horizon:
            self._failures -= not self._outcomes.popleft()[1]
