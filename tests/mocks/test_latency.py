"""The injected latency's clock: never early, finer than the event loop's timers."""

from __future__ import annotations

import asyncio
import time

import pytest

from mocks.latency import TIMER_SLACK_S, sleep_until
from tests.support.loop_turns import TurnCounter


@pytest.mark.parametrize("delay_s", [0.0, 0.0002, TIMER_SLACK_S, 0.0031, 0.0125])
async def test_it_never_returns_before_the_deadline(delay_s: float) -> None:
    deadline = time.perf_counter() + delay_s
    await sleep_until(deadline)
    assert time.perf_counter() >= deadline


async def test_a_deadline_already_passed_returns_at_once() -> None:
    counter = TurnCounter()
    await asyncio.sleep(0)
    seen = counter.turns
    await sleep_until(time.perf_counter() - 1)
    assert counter.turns == seen  # it did not even yield
    counter.stop()


async def test_the_loop_serves_other_work_while_it_waits() -> None:
    counter = TurnCounter()
    await sleep_until(time.perf_counter() + 0.005)
    assert counter.turns > 1
    counter.stop()
