"""Other work on the event loop, to see whether code under test yields to it."""

from __future__ import annotations

import asyncio


class TurnCounter:
    """Counts the turns of the loop it is given; start it inside a running loop."""

    def __init__(self) -> None:
        self.turns = 0
        self._task = asyncio.create_task(self._count())

    async def _count(self) -> None:
        while True:
            self.turns += 1
            await asyncio.sleep(0)

    def stop(self) -> None:
        self._task.cancel()
