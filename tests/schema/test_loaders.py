"""A keyed loader tells when what was loaded is on its way, and is freed with its request."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest

from schema.loaders import KeyedLoader
from tests.support.loop_turns import TurnCounter


class Downstream:
    """Notes when a call goes out and when its answer comes back."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.answer = asyncio.Event()

    async def call(self, keys: list[str]) -> list[Any]:
        self.events.append(f"call {','.join(keys)}")
        await self.answer.wait()
        self.events.append("answer")
        return keys


async def test_sent_returns_once_the_batch_has_made_its_call_and_before_the_answer() -> None:
    downstream = Downstream()
    loader: KeyedLoader[Any] = KeyedLoader(downstream.call)
    loader.load("c_1"), loader.load("c_2")
    await loader.sent()
    assert downstream.events == ["call c_1,c_2"]
    downstream.answer.set()
    assert await loader.load("c_1") == "c_1"


async def test_sent_also_waits_for_a_task_the_batch_starts_for_its_call() -> None:
    # The cache's shared fill: the batch awaits a task, whose first step makes the call.
    downstream = Downstream()

    async def batch(keys: list[str]) -> list[Any]:
        return await asyncio.create_task(downstream.call(keys))

    loader: KeyedLoader[Any] = KeyedLoader(batch)
    loader.load("c_1")
    await loader.sent()
    assert downstream.events == ["call c_1"]
    downstream.answer.set()


async def test_nothing_unsent_returns_without_yielding() -> None:
    downstream = Downstream()
    downstream.answer.set()
    loader: KeyedLoader[Any] = KeyedLoader(downstream.call)
    counter = TurnCounter()
    await asyncio.sleep(0)
    seen = counter.turns
    await loader.sent()  # nothing loaded yet
    assert counter.turns == seen
    await loader.load("c_1")
    seen = counter.turns
    await loader.sent()  # already sent and answered
    assert counter.turns == seen
    counter.stop()


async def test_a_cancelled_wait_does_not_hold_up_the_others() -> None:
    downstream = Downstream()
    loader: KeyedLoader[Any] = KeyedLoader(downstream.call)
    loader.load("c_1")
    cancelled = asyncio.create_task(loader.sent())
    waiting = asyncio.create_task(loader.sent())
    await asyncio.sleep(0)
    cancelled.cancel()
    await waiting
    assert cancelled.cancelled()
    assert downstream.events == ["call c_1"]
    downstream.answer.set()


@pytest.fixture
def no_cyclic_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_cyclic_collection")
async def test_a_loader_is_freed_without_the_cyclic_garbage_collector() -> None:
    # A request's loaders hold every future they made: they must go when the request does.
    downstream = Downstream()
    downstream.answer.set()
    loader: KeyedLoader[Any] = KeyedLoader(downstream.call)
    loader.load("c_1")
    await loader.sent()
    await loader.load("c_1")
    gone = weakref.ref(loader)
    del loader
    assert gone() is None
