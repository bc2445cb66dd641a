"""One DataLoader per batch endpoint, made per request: batching and de-duplication of fetches."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from functools import cached_property
from typing import Any, TypeVar

from aiodataloader import DataLoader

from clients import (
    CallContext,
    Courier,
    Delivery,
    Downstream,
    InvalidIdError,
    MenuItem,
    NotFoundError,
    Order,
    PartialBatch,
    Restaurant,
    is_valid_id,
)

V = TypeVar("V")
Fetch = Callable[[Iterable[str], CallContext], Awaitable[Mapping[str, V]]]


class KeyedLoader(DataLoader[str, V]):
    """A DataLoader whose futures can be read by key: a relation whose load was started ahead
    (``schema.relations``) takes its future from there instead of loading it again."""

    def __init__(
        self, batch_load_fn: Callable[[list[str]], Coroutine[Any, Any, list[Any]]]
    ) -> None:
        self.futures: dict[str, asyncio.Future[V]] = {}
        # Not the loader itself: a closure over it would be a cycle, and a request's loaders
        # (with every future they made) would wait for the cyclic garbage collector.
        self._sending = sending = _Sending()

        async def batch(keys: list[str]) -> list[Any]:
            sending.started()
            return await batch_load_fn(keys)

        super().__init__(batch, cache_map=self.futures)

    def do_resolve_reject(self, key: str, future: asyncio.Future[V]) -> None:
        super().do_resolve_reject(key, future)
        self._sending.unsent = True

    async def sent(self) -> None:
        """Return once the keys loaded so far are on their way: the batch holding them has run
        to its first wait, so its call has gone out, or the in-process cache has answered it.
        Work done after this does not delay that call. (With the shared cache in Redis, the
        first wait is Redis's answer, and a call it still needs follows that.)"""
        await self._sending.wait()


class _Sending:
    """Whether a loader has keys no batch has taken yet, and who waits for them to go out."""

    def __init__(self) -> None:
        self.unsent = False
        self._waiting: list[asyncio.Future[None]] = []

    async def wait(self) -> None:
        if not self.unsent:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        await waiter

    def started(self) -> None:
        self.unsent = False
        if self._waiting:
            waiting, self._waiting = self._waiting, []
            # Released after this turn, in which the batch runs to its call (or to the cache's
            # answer); the waiters resume a turn later still, after the first step of a task
            # the batch started for its call (the cache's shared fill).
            asyncio.get_running_loop().call_soon(_release, waiting)


def _release(waiting: list[asyncio.Future[None]]) -> None:
    for waiter in waiting:
        if not waiter.done():  # a waiter cancelled meanwhile stays cancelled
            waiter.set_result(None)


class Loaders:
    """The request's loaders; each is created on first use, on the request's event loop."""

    def __init__(self, downstream: Downstream, call: CallContext) -> None:
        self.downstream = downstream
        self.call = call

    @cached_property
    def restaurant(self) -> KeyedLoader[Restaurant | None]:
        return self._batched(self.downstream.menu.restaurants)

    @cached_property
    def menu_item(self) -> KeyedLoader[MenuItem | None]:
        return self._batched(self.downstream.menu.menu_items)

    @cached_property
    def order(self) -> KeyedLoader[Order | None]:
        return self._batched(self.downstream.order.orders)

    @cached_property
    def delivery_by_order(self) -> KeyedLoader[Delivery | None]:
        return self._batched(self.downstream.courier.deliveries_for_orders)

    @cached_property
    def courier(self) -> KeyedLoader[Courier | None]:
        return self._batched(self.downstream.courier.couriers)

    @cached_property
    def restaurant_menu(self) -> DataLoader[str, list[MenuItem] | None]:
        # The menu endpoint takes one restaurant per call: de-duplicate, fetch concurrently.
        menu = self.downstream.menu.menu
        call = self.call

        async def load(restaurant_ids: list[str]) -> list[Any]:
            async def one(restaurant_id: str) -> list[MenuItem] | Exception | None:
                if not is_valid_id(restaurant_id):
                    return InvalidIdError(restaurant_id)
                try:
                    return await menu(restaurant_id, call)
                except NotFoundError:
                    return None

            return list(await asyncio.gather(*(one(r) for r in restaurant_ids)))

        return DataLoader(load)

    def _batched(self, fetch: Fetch[V]) -> KeyedLoader[V | None]:
        call = self.call

        async def load(keys: list[str]) -> list[Any]:  # an Exception rejects its key only
            valid = [key for key in keys if is_valid_id(key)]
            failure: PartialBatch | None = None
            try:
                found = await fetch(valid, call) if valid else {}
            except PartialBatch as partial:
                # What could be served (fresh or stale) still resolves; only the rest fails.
                failure, found = partial, partial.found  # type: ignore[assignment]
            if len(valid) == len(keys):  # the usual case: no id to check again
                return [found.get(key, failure) for key in keys]
            return [_value(key, found, failure) for key in keys]

        return KeyedLoader(load)


async def load(loader: DataLoader[str, V], key: str) -> V:
    """Await a loader's value without letting this resolver's cancellation cancel it for others.

    graphql-core cancels sibling resolvers when a non-null field fails; awaiting the loader's
    shared future directly would cancel it for every other resolver waiting on the same key.
    """
    future: asyncio.Future[V] = loader.load(key)
    return await asyncio.shield(future)


def prefetch(loader: DataLoader[str, Any], key: str) -> None:
    """Start loading ``key`` now so that it joins the current batch; its result is awaited later."""
    future: asyncio.Future[Any] = loader.load(key)
    # A prefetch nobody ends up awaiting must not log "exception was never retrieved".
    future.add_done_callback(_consume_exception)


def _consume_exception(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _value(key: str, found: Mapping[str, Any], failure: PartialBatch | None) -> Any:
    if not is_valid_id(key):
        return InvalidIdError(key)
    if key in found:
        return found[key]
    return failure  # None (absent: not found) unless the batch failed for this key
