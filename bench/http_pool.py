"""CPU per downstream call of the httpx client, with httpcore's connection pool and with the
pool the clients use (aiohttp's, see clients/_connections.py), at 32 concurrent calls.

Run: .venv/bin/python bench/http_pool.py
The mocks answer after 20 ms on CPU 1; this process runs on CPU 0 and counts its own CPU time.
"""

from __future__ import annotations

import asyncio
import os
import time

import httpx
from harness import mocks, table

from clients._connections import pooled_transport

CONCURRENT, CALLS_EACH, ROUNDS = 32, 30, 3


async def cpu_us_per_call(url: str, transport: httpx.AsyncBaseTransport | None) -> float:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=url, transport=transport, limits=limits) as http:

        async def caller(calls: int) -> None:
            for _ in range(calls):
                (await http.get("/v1/restaurants/r_1")).raise_for_status()

        await asyncio.gather(*(caller(5) for _ in range(CONCURRENT)))  # warm up the pool
        best = float("inf")
        for _ in range(ROUNDS):
            started = time.process_time()
            await asyncio.gather(*(caller(CALLS_EACH) for _ in range(CONCURRENT)))
            spent = time.process_time() - started
            best = min(best, spent / (CONCURRENT * CALLS_EACH) * 1e6)
        return best


def main() -> None:
    with mocks(20, cpu=1) as urls:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
        rows = [
            [
                "httpcore (httpx's default)",
                f"{asyncio.run(cpu_us_per_call(urls['menu'], None)):.0f}",
            ],
            [
                "aiohttp (clients/_connections.py)",
                f"{asyncio.run(cpu_us_per_call(urls['menu'], pooled_transport(100))):.0f}",
            ],
        ]
    print(f"{CONCURRENT} concurrent GETs of one restaurant, best of {ROUNDS} rounds:\n")
    print(table(["connection pool", "CPU us per call"], rows))


if __name__ == "__main__":
    main()
