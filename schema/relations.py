"""Relations resolved without a resolver per field.

A list's resolver starts the loads its selection needs for all its objects at once and waits
for them (one await per list, not one per field); the objects are then built with their
relations as plain values, read by the default resolver. A failed load becomes the field's
value as an exception, which graphql-core raises at that field's path (null plus an error
there; the rest of the response still arrives). A load that was not started ahead still works:
the field gets a task, which graphql-core awaits.
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
    """A field value: the converted result, None, the load's exception, or a task of it."""
    future: asyncio.Future[V | None] = loader.futures.get(key) or loader.load(key)
    if not future.done():
        return asyncio.ensure_future(_converted_later(future, convert))
    if future.cancelled():
        return asyncio.CancelledError()
    error = future.exception()
    if error is not None:
        return error
    value = future.result()
    return None if value is None else convert(value)


async def _converted_later(future: asyncio.Future[V | None], convert: Callable[[V], R]) -> R | None:
    # Shielded: the future is shared by every field asking for this key; cancelling this one
    # field must not cancel it for the others.
    value = await asyncio.shield(future)
    return None if value is None else convert(value)


async def settle(*waits: Awaitable[Any]) -> None:
    """Wait for loads whose failures belong to the fields that asked for them, not to us."""
    if waits:
        await asyncio.gather(*waits, return_exceptions=True)
