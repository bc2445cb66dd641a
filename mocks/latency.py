"""Injected latency measured to the answer, to within a few microseconds.

The event loop's timers are only as fine as a millisecond: uvloop rounds every delay to whole
milliseconds and wakes up about 0.3 ms late, so a plain ``asyncio.sleep(0.020)`` answers
anywhere from 20.0 to 21.0 ms after the request. The benchmarks' floor is levels x the
injected latency: an answer that comes a millisecond late on every call would be counted as
the BFF's own cost. So the timer wakes up shortly before the deadline, and the last stretch is
waited out turn by turn of the loop (which still serves every other request meanwhile).
"""

from __future__ import annotations

import asyncio
import time

# Less than the timer's rounding (half a millisecond) plus its lateness, with room to spare.
TIMER_SLACK_S = 0.001


async def sleep_until(deadline: float) -> None:
    """Return at ``deadline`` (a ``time.perf_counter`` reading), not a timer tick after it."""
    remaining = deadline - time.perf_counter()
    if remaining > TIMER_SLACK_S:
        await asyncio.sleep(remaining - TIMER_SLACK_S)
    # Turn by turn on purpose: no event fires at a time finer than the timer's.
    while time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0)
