"""The injected latency's clock: never early, finer than the event loop's timers."""

from __future__ import annotations

import asyncio
import time

import pytest

from mocks.latency import TIMER_SLACK_S, deadline_after, sleep_until


@pytest.mark.parametrize("delay_s", [0.0, 0.0002, TIMER_SLACK_S, 0.0031, 0.0125])
async def test_it_never_returns_before_the_deadline(delay_s: float) -> None:
    deadline = deadline_after(delay_s)
    await sleep_until(deadline)
    assert time.perf_counter() >= deadline


class TurnCounter:
    """Other work on the loop: counts the turns it is given."""

    def __init__(self) -> None:
        self.turns = 0
        self._task = asyncio.create_task(self._count())

    async def _count(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(0)

    def stop(self) -> None:
        self._task.cancel()


async def test_a_deadline_already_passed_returns_at_once() -> None:
    counter = TurnCounter()
    await asyncio.sleep(0)
    seen = counter.turns
    await sleep_until(time.perf_counter() - 1)
    assert counter.turns == seen  # it did not even yield
    counter.stop()


async def test_the_loop_serves_other_work_while_it_waits() -> None:
    counter = TurnCounter()
    await sleep_until(deadline_after(0.005))
    assert counter.turns > 1
    counter.stop()
