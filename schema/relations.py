"""Relations resolved without a resolver per field.

A list's resolver starts the loads its selection needs for all its objects at once and waits
for them (one await per list, not one per field); the objects are then built with their
relations as plain values, read by the default resolver. A failed load becomes the field's
value as an exception, which graphql-core raises at that field's path (null plus an error
there; the rest of the response still arrives). A load still in flight (the last level's,
whose call the list does not wait for, or one not started ahead) becomes a future of the
field's value, which graphql-core awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from schema.loaders import KeyedLoader

V = TypeVar("V")
R = TypeVar("R")


def value_now(loader: KeyedLoader[V | None], key: str, convert: Callable[[V], R]) -> Any:
    """A field value: the converted result, None, the load's exception, or a future of it."""
    future: asyncio.Future[V | None] = loader.futures.get(key) or loader.load(key)
    if not future.done():
        return _converted_when_done(future, convert)
    if future.cancelled():
        return asyncio.CancelledError()
    error = future.exception()
    if error is not None:
        return error
    return _converted(future, convert)


def _converted(done: asyncio.Future[V | None], convert: Callable[[V], R]) -> R | None:
    """A done load's value, converted (its failure, or its cancellation, raised)."""
    value = done.result()
    return None if value is None else convert(value)


def _converted_when_done(
    future: asyncio.Future[V | None], convert: Callable[[V], R]
) -> asyncio.Future[R | None]:
    """The converted value once ``future`` is done: a future of its own, resolved by a
    callback (no task per field). The loader's future is shared by every field asking for
    its key: cancelling this field's (graphql-core does when a sibling fails) leaves it whole.
    """
    converted: asyncio.Future[R | None] = future.get_loop().create_future()

    def resolve(done: asyncio.Future[V | None]) -> None:
        if converted.done():  # cancelled meanwhile
            if not done.cancelled():
                done.exception()  # retrieved: the failure was this field's, now gone
            return
        try:
            converted.set_result(_converted(done, convert))
        except asyncio.CancelledError:
            converted.cancel()
        except Exception as failure:  # the load's, or the conversion's: the field's either way
            converted.set_exception(failure)

    future.add_done_callback(resolve)
    return converted


async def settle(*waits: Awaitable[Any]) -> None:
    """Wait for loads whose failures belong to the fields that asked for them, not to us.

    A list's loads are a hundred futures or so, resolved a batch at a time: one wait per
    batch (the first future still pending) is enough, where ``asyncio.gather`` would wrap and
    call back every one of them. Coroutines are started first, together, so that none of them
    waits for another's turn (a list's couriers go out as soon as its deliveries are known).
    ``asyncio.wait`` never cancels what it waits for: a shared future stays whole for the
    other fields waiting on it if this wait is cancelled (the tasks started here are ours to
    cancel then).
    """
    futures: list[asyncio.Future[Any]] = []
    started: list[asyncio.Task[Any]] = []
    for wait in waits:
        if isinstance(wait, asyncio.Future):
            futures.append(wait)
        else:
            started.append(asyncio.ensure_future(wait))
            futures.append(started[-1])
    try:
        for future in futures:
            if not future.done():
                await asyncio.wait((future,))
    except asyncio.CancelledError:
        for task in started:
            task.cancel()
        raise
    for future in futures:
        # Retrieved, as gather would have: a failure is its field's, not a logged leftover.
        if not future.cancelled():
            future.exception()
