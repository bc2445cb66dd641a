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


async def test_a_deadline_already_passed_returns_at_once() -> None:
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count_turns())
    await asyncio.sleep(0)
    seen = turns
    await sleep_until(time.perf_counter() - 1)
    assert turns == seen  # it did not even yield
    counter.cancel()


async def test_the_loop_serves_other_work_while_it_waits() -> None:
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    worker = asyncio.create_task(other_work())
    await sleep_until(deadline_after(0.005))
    assert turns > 1
    worker.cancel()
