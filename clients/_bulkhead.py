"""A bulkhead per service: a bounded number of calls at once, and a short wait for a slot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class BulkheadFull(Exception):
    """No slot freed up within the wait."""


class Bulkhead:
    def __init__(self, max_concurrent: int, max_wait_s: float) -> None:
        self._slots = asyncio.Semaphore(max_concurrent)
        self.max_concurrent = max_concurrent
        self.max_wait_s = max_wait_s
        self.rejected = 0

    @property
    def in_use(self) -> int:
        return self.max_concurrent - self._slots._value

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if not self._slots.locked():
            # A free slot is taken at once. wait_for would run the acquire in a task of its
            # own, which costs two turns of the event loop before the call can go out.
            await self._slots.acquire()
        else:
            try:
                await asyncio.wait_for(self._slots.acquire(), self.max_wait_s)
            except TimeoutError:
                self.rejected += 1
                raise BulkheadFull from None
        try:
            yield
        finally:
            self._slots.release()
