"""Downstream calls per 1,000 mixed queries, with and without the BFF's cache.

Run: .venv/bin/python bench/cache_calls.py
"""

from __future__ import annotations

import asyncio
import random

from harness import Request, bff, downstream_calls, mocks, reset_stats, run_load, table

QUERIES = 1_000
CONCURRENCY = 16
LISBON = {"lat": 38.7223, "lng": -9.1393}


def mixed_queries(seed: int = 7) -> list[Request]:
    """A day-like mix: menus of popular restaurants dominate, then feeds and order screens."""
    rng = random.Random(seed)
    popular = [f"r_{n}" for n in range(1, 31)]
    users = [f"u_{n}" for n in range(1, 41)]
    mix: list[Request] = []
    for _ in range(QUERIES):
        roll = rng.random()
        restaurant = rng.choice(popular)
        user = rng.choice(users)
        if roll < 0.35:
            mix.append(Request("mobile", "RestaurantMenu", {"id": restaurant}))
        elif roll < 0.50:
            mix.append(Request("web", "RestaurantPage", {"id": restaurant}))
        elif roll < 0.65:
            mix.append(Request("mobile", "HomeFeed", LISBON | {"first": 10}, user))
        elif roll < 0.75:
            mix.append(Request("web", "SearchRestaurants", LISBON | {"first": 24}))
        elif roll < 0.90:
            mix.append(Request("mobile", "MyOrders", {"first": 20}, user))
        else:
            mix.append(Request("web", "OrderHistory", {"first": 20}, user))
    return mix


async def measure(cache: bool) -> tuple[int, int]:
    with mocks() as urls, bff(urls, {"BFF_CACHE_ENABLED": str(cache).lower()}) as url:
        reset_stats(urls)
        outcomes = await run_load(url, mixed_queries(), CONCURRENCY)
        return downstream_calls(urls), sum(o.errors for o in outcomes)


async def main() -> None:
    rows = []
    for cache in (False, True):
        calls, errors = await measure(cache)
        rows.append(["on" if cache else "off", QUERIES, calls, f"{calls / QUERIES:.2f}", errors])
    print(table(["cache", "queries", "downstream calls", "calls per query", "errors"], rows))


if __name__ == "__main__":
    asyncio.run(main())
