"""Waiting for a list's loads: every batch, its failures left to their fields, and nobody
else's future cancelled; a load still in flight as a field's value."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from schema.loaders import KeyedLoader
from schema.relations import settle, value_now
from tests.support.loop_turns import TurnCounter


def resolve_later(futures: list[asyncio.Future[Any]], delay_s: float, value: Any = 1) -> None:
    """One batch: its futures resolved together, as a loader's dispatch resolves them."""

    def resolve() -> None:
        for future in futures:
            if isinstance(value, BaseException):
                future.set_exception(value)
            else:
                future.set_result(value)

    asyncio.get_running_loop().call_later(delay_s, resolve)


def futures(count: int) -> list[asyncio.Future[Any]]:
    loop = asyncio.get_running_loop()
    return [loop.create_future() for _ in range(count)]


async def test_it_returns_once_every_batch_has_arrived() -> None:
    first, second = futures(3), futures(4)
    resolve_later(first, 0.002)
    resolve_later(second, 0.01)
    await settle(*first, *second)
    assert all(f.done() for f in first + second)


async def test_failures_stay_with_their_futures_and_are_not_logged_as_lost() -> None:
    loop = asyncio.get_running_loop()
    lost: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: lost.append(context))
    failed, fine = futures(2), futures(2)
    resolve_later(failed, 0.001, ValueError("batch failed"))
    resolve_later(fine, 0.002)

    async def next_level_fails() -> None:
        raise LookupError("couriers failed")

    await settle(*failed, next_level_fails(), *fine)
    assert [type(f.exception()) for f in failed] == [ValueError, ValueError]
    assert [f.result() for f in fine] == [1, 1]
    del failed, fine
    gc.collect()
    assert lost == []


async def test_a_coroutine_starts_at_once_not_after_the_waits_before_it() -> None:
    slow = futures(1)
    resolve_later(slow, 0.05)
    started: list[bool] = []

    async def next_level() -> None:
        # What depends on a first batch (couriers on deliveries) goes out as soon as it can.
        started.append(slow[0].done())

    await settle(slow[0], next_level())
    assert started == [False]


async def test_cancelling_the_wait_cancels_no_shared_future_but_its_own_tasks() -> None:
    shared = futures(2)
    inner_cancelled: list[bool] = []

    async def own_work() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            inner_cancelled.append(True)
            raise

    waiting = asyncio.create_task(settle(*shared, own_work()))
    await asyncio.sleep(0.001)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.sleep(0)
    # Other fields still wait on the shared loads: they stay pending, then resolve.
    assert not any(f.cancelled() for f in shared)
    assert inner_cancelled == [True]
    for future in shared:
        future.set_result("still delivered")
    assert [f.result() for f in shared] == ["still delivered"] * 2


async def test_nothing_to_wait_for_returns_without_yielding() -> None:
    done = futures(2)
    for future in done:
        future.set_result(None)
    counter = TurnCounter()
    await asyncio.sleep(0)
    seen = counter.turns
    await settle()
    await settle(*done)
    assert counter.turns == seen
    counter.stop()


class _Model:
    def __init__(self, name: str) -> None:
        self.name = name


def _loader(answer: Any) -> KeyedLoader[Any]:
    async def batch(keys: list[str]) -> list[Any]:
        await asyncio.sleep(0.005)
        return [answer(k) if callable(answer) else answer for k in keys]

    return KeyedLoader(batch)


async def test_a_value_still_in_flight_is_a_future_of_the_converted_value() -> None:
    loader = _loader(_Model)
    value = value_now(loader, "c_1", lambda m: m.name.upper())
    assert isinstance(value, asyncio.Future) and not value.done()
    assert await value == "C_1"
    # Once loaded, the next field gets the value itself.
    assert value_now(loader, "c_1", lambda m: m.name.upper()) == "C_1"


async def test_a_field_cancelled_leaves_the_shared_load_to_the_others() -> None:
    loader = _loader(_Model)
    cancelled = value_now(loader, "c_1", lambda m: m.name)
    kept = value_now(loader, "c_1", lambda m: m.name)
    cancelled.cancel()
    assert await kept == "c_1"
    assert not loader.futures["c_1"].cancelled()


async def test_a_failed_load_or_conversion_is_the_fields_error_and_never_logged_as_lost() -> None:
    loop = asyncio.get_running_loop()
    lost: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: lost.append(context))
    failing = _loader(LookupError("couriers down"))
    with pytest.raises(LookupError):
        await value_now(failing, "c_1", lambda m: m)

    def bad(_: Any) -> Any:
        raise ValueError("not a courier")

    with pytest.raises(ValueError):
        await value_now(_loader(_Model), "c_2", bad)
    # A field cancelled before its load failed: the failure is still retrieved.
    abandoned = value_now(failing, "c_3", lambda m: m)
    abandoned.cancel()
    await asyncio.sleep(0.01)
    del abandoned, failing
    gc.collect()
    assert lost == []
