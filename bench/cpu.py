"""CPU per request of each shared operation, measured in process: the steadiest figure to
compare two versions of the BFF with on a machine whose speed wanders.

The mocks run in their own process (no injected latency, on CPU 1); the BFF's app is called
in this process through its ASGI interface (no HTTP server in between, so what is measured
is the BFF itself plus its downstream calls), one request at a time, and the CPU time of this
process per request is taken as the best of several rounds. Beside it, two counts that do
not wander: Python function calls per request (cProfile) and objects per request that only
the cyclic garbage collector can free.

Run: .venv/bin/python bench/cpu.py [--rounds 7] [--requests 100] [--cache]
Compare with another checkout: PYTHONPATH=OTHER_CHECKOUT .venv/bin/python bench/cpu.py
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from harness import mocks, table, token
from run import OPERATIONS, active_order, body

from bff.app import create_app
from bff.settings import Settings


async def measure(
    urls: dict[str, str], cache: bool, rounds: int, requests: int
) -> list[list[object]]:
    settings = Settings(
        menu_url=urls["menu"],
        order_url=urls["order"],
        courier_url=urls["courier"],
        cache_enabled=cache,
        rate_limits=False,
    )
    app = create_app(settings)
    order = active_order(urls)
    rows: list[list[object]] = []
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bff") as http:
            for op in OPERATIONS:
                headers = {"Authorization": f"Bearer {token(op.user)}"} if op.user else {}
                payload: dict[str, Any] = body(op, order)

                async def one(
                    op_path: str = f"/{op.client}/graphql",
                    payload: dict[str, Any] = payload,
                    headers: dict[str, str] = headers,
                ) -> None:
                    answer = (await http.post(op_path, json=payload, headers=headers)).json()
                    if answer.get("errors"):
                        raise RuntimeError(answer["errors"])

                for _ in range(10):
                    await one()
                best = float("inf")
                for _ in range(rounds):
                    started = time.process_time()
                    for _ in range(requests):
                        await one()
                    best = min(best, (time.process_time() - started) / requests * 1000)
                calls = await _function_calls(one)
                garbage = await _cyclic_garbage(one)
                rows.append([f"{op.client}/{op.name}", f"{best:.2f}", calls, f"{garbage:.0f}"])
    return rows


SAMPLE = 20


async def _function_calls(one: Callable[[], Awaitable[None]]) -> int:
    """Python function calls per request (cProfile's count: deterministic, unlike time)."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(SAMPLE):
        await one()
    profile.disable()
    return pstats.Stats(profile).total_calls // SAMPLE  # type: ignore[attr-defined, no-any-return]


async def _cyclic_garbage(one: Callable[[], Awaitable[None]]) -> float:
    """Objects per request that only the cyclic garbage collector can free (this in-process
    client's included): what makes its collections long."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(SAMPLE):
            await one()
        return gc.collect() / SAMPLE
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--cache", action="store_true", help="with the HTTP cache on")
    args = parser.parse_args()
    with mocks(0, cpu=1) as urls:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
        rows = asyncio.run(measure(urls, args.cache, args.rounds, args.requests))
    cache = "on" if args.cache else "off"
    print(
        f"CPU ms per request, in process, cache {cache}, best of {args.rounds} x {args.requests}:"
    )
    print()
    print(table(["operation", "CPU ms", "function calls", "cyclic garbage"], rows))


if __name__ == "__main__":
    main()
