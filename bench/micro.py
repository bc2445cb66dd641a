"""Micro-benchmarks behind the figures of single changes in the README's "What made it faster":
each compares the way before with the way now, in this process, best of several rounds.

Run: .venv/bin/python bench/micro.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

import httpx
import uvloop
from cachetools import TLRUCache
from graphql import parse
from harness import ROOT, document, free_port, mocks, serving, table
from httpx_aiohttp import AiohttpTransport

from clients._cache_control import Scope
from clients._cache_store import MemoryCacheStore, StoredResponse
from clients._connections import DownstreamClient, PooledTransport
from clients._http import request_url
from schema.completion_plans import _compiled, _looped
from schema.relations import settle

T = TypeVar("T")


def best_ns(action: Callable[[], object], number: int) -> float:
    """Nanoseconds per call, best of five rounds."""
    return min(timeit.repeat(action, number=number, repeat=5)) / number * 1e9


class _Restaurant:
    __slots__ = ("id", "name", "status", "thumbnail_url", "votes")

    def __init__(self) -> None:
        self.id, self.name, self.thumbnail_url = "r_1", "Tasca", "https://img/r_1?w=256"
        self.votes, self.status = 120, "OPEN"


def _leaf(value: Any) -> Any:
    if value is None:
        raise ValueError("null")
    return value


def plans() -> list[object]:
    """One object of five fields: four built-in scalars and one other leaf."""
    entries: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("id", "id", _leaf),
        ("name", "name", _leaf),
        ("thumbnailUrl", "thumbnail_url", _leaf),
        ("votes", "votes", _leaf),
        ("status", "status", _leaf),
    ]
    int_check = "type({v}) is int and -2147483648 <= {v} <= 2147483647"
    checks = ["type({v}) is str"] * 3 + [int_check, None]
    looped, compiled = _looped(entries), _compiled(entries, checks)
    source = _Restaurant()
    assert looped(source) == compiled(source)
    return [
        "completing an object of five fields",
        f"{best_ns(lambda: looped(source), 200_000):.0f} ns",
        f"{best_ns(lambda: compiled(source), 200_000):.0f} ns",
    ]


def cache_reads() -> list[object]:
    """One read of a cached entity: cachetools' TLRU cache against the store's LRU cache."""
    keys = [f"p|entity|GET /v1/menu-items|m_{n}" for n in range(100)]
    tlru: TLRUCache[str, StoredResponse] = TLRUCache(
        maxsize=10_000, ttu=lambda _key, _value, now: now + 60, timer=time.time
    )
    store = MemoryCacheStore()
    for key in keys:
        entry = StoredResponse(b"{}", None, time.time(), 60, Scope.PUBLIC)
        tlru[key] = entry
        asyncio.run(store.put(key, entry, 60))
    get = tlru.get
    before = best_ns(lambda: [get(key) for key in keys], 2_000) / len(keys)
    now = best_ns(lambda: _at_once(store.get_many(keys)), 2_000) / len(keys)
    return ["reading one cached entity", f"{before:.0f} ns", f"{now:.0f} ns"]


def _at_once(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never waits (the memory store's), without a loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    raise RuntimeError("the coroutine waited")


def _resolve(batch: list[asyncio.Future[None]]) -> None:
    for future in batch:
        future.set_result(None)


async def _gathered(*waits: Any) -> None:
    await asyncio.gather(*waits, return_exceptions=True)


def waits() -> list[object]:
    """Waiting for a page of orders' loads: 96 futures in four batches, each batch resolved at
    once on a later turn of the loop (as a loader's dispatch resolves it)."""

    async def page(settle_with: Callable[..., Coroutine[Any, Any, None]], pages: int) -> float:
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        for _ in range(pages):
            batches = [[loop.create_future() for _ in range(size)] for size in (20, 38, 20, 18)]
            for batch in batches:
                loop.call_soon(_resolve, batch)
            await settle_with(*(f for batch in batches for f in batch))
        return (time.perf_counter() - started) / pages * 1e9

    def best(settle_with: Callable[..., Coroutine[Any, Any, None]]) -> float:
        return min(asyncio.run(page(settle_with, 2_000)) for _ in range(5))

    return [
        "waiting for the 96 loads of a page of orders",
        f"{best(_gathered):.0f} ns",
        f"{best(settle):.0f} ns",
    ]


def urls() -> list[object]:
    """The URL of a batch of 40 ids: through httpx's base URL and params, and built once."""
    base = "http://127.0.0.1:8101"
    ids = ",".join(f"m_{n}" for n in range(40))
    client = httpx.AsyncClient(base_url=base)
    params = {"ids": ids}
    before = best_ns(lambda: client.build_request("GET", "/v1/menu-items", params=params), 5_000)
    now = best_ns(
        lambda: client.build_request("GET", request_url(base, "/v1/menu-items", params)), 5_000
    )
    return ["building the request of a batch of 40 ids", f"{before:.0f} ns", f"{now:.0f} ns"]


def cookies() -> list[object]:
    """What httpx's cookie jar does with every answer (the clients now skip it)."""
    request = httpx.Request("GET", "http://127.0.0.1:8101/v1/menu-items?ids=m_1")
    response = httpx.Response(200, headers={"content-type": "application/json"}, request=request)
    jar = httpx.Cookies()
    return [
        "keeping an answer's cookies",
        f"{best_ns(lambda: jar.extract_cookies(response), 20_000):.0f} ns",
        "0 ns",
    ]


def document_hashes() -> list[list[object]]:
    """What strawberry's validation cache hashed on every request (now: the text's hash)."""
    rows: list[list[object]] = []
    for client, name in (("mobile", "MyOrders"), ("web", "OrderHistory")):
        text = document(client, name)
        tree = parse(text)
        by_tree = best_ns(partial(hash, tree), 2_000)
        by_text = best_ns(partial(hash, text), 200_000)
        rows.append(
            [f"the validation cache's key of {name}", f"{by_tree:.0f} ns", f"{by_text:.0f} ns"]
        )
    return rows


class _LibraryExchange(PooledTransport):
    """The same pool, with httpx-aiohttp's own exchange (streamed answer, its error mapping)."""

    handle_async_request = AiohttpTransport.handle_async_request


async def _cpu_us_per_call(transport: PooledTransport, url: httpx.URL, calls: int) -> float:
    async with DownstreamClient(transport=transport) as http:
        for _ in range(100):  # the connection and the code warm
            (await http.get(url)).raise_for_status()
        started = time.process_time()
        for _ in range(calls):
            (await http.get(url)).raise_for_status()
        return (time.process_time() - started) / calls * 1e6


def exchanges() -> list[object]:
    """CPU of one call through the httpx client, one after another, to the mocks (at 0 ms, in
    their own process on CPU 1, this one on CPU 0): httpx-aiohttp's exchange, then the
    clients'; best of five alternating rounds of 3,000 calls."""
    everywhere = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {0})
    best = {_LibraryExchange: float("inf"), PooledTransport: float("inf")}
    try:
        with mocks(cpu=1) as urls:
            url = httpx.URL(f"{urls['menu']}/v1/restaurants?ids=r_1,r_2")
            limits = httpx.Limits(max_connections=10)
            for _ in range(5):
                for kind in best:
                    spent = uvloop.run(_cpu_us_per_call(kind(limits=limits), url, 3_000))
                    best[kind] = min(best[kind], spent)
    finally:
        os.sched_setaffinity(0, everywhere)
    library, ours = best.values()
    return [
        "CPU of a call through httpx (its exchange over aiohttp)",
        f"{library:.0f} µs",
        f"{ours:.0f} µs",
    ]


# The mocks of ``bff mocks``, their answers held by the loop's timer alone (as they were).
_TIMER_ONLY_MOCKS = """
import asyncio, sys, time
from mocks import faults
from mocks.runner import build_mock_servers, run_on_servers_loop, serve_all

async def timer_only(deadline):
    remaining = deadline - time.perf_counter()
    if remaining > 0:
        await asyncio.sleep(remaining)

faults.sleep_until = timer_only
servers = build_mock_servers(order_port=int(sys.argv[1]), only=["order"])
run_on_servers_loop(serve_all(servers), servers)
"""


def mock_latency() -> list[object]:
    """A call to the mocks at 20 ms of injected latency, in their own process on CPU 1, held
    by the loop's timer alone and by their deadline clock (``mocks/latency.py``): the median
    of 40 calls after 5."""
    medians: list[str] = []
    for timer_only in (True, False):
        port = free_port()
        command = [sys.executable, "-c", _TIMER_ONLY_MOCKS, str(port)] if timer_only else None
        with own_mocks(command, port) as url, httpx.Client(base_url=url) as http:
            http.put("/__admin/faults", json={"latency_ms": 20}).raise_for_status()
            took = []
            for _ in range(45):
                started = time.perf_counter()
                http.get("/v1/orders", params={"customer_id": "u_1", "limit": "1"})
                took.append((time.perf_counter() - started) * 1000)
        medians.append(f"{statistics.median(took[5:]):.2f} ms")
    return ["a call to the mocks at 20 ms (the loop's timer, then the deadline clock)", *medians]


@contextmanager
def own_mocks(command: list[str] | None, port: int) -> Iterator[str]:
    """The order mock on ``port`` from ``command`` (else ``bff mocks``), pinned to CPU 1."""
    if command is None:
        with mocks(cpu=1) as urls:
            yield urls["order"]
        return
    process = subprocess.Popen(["taskset", "-c", "1", *command], cwd=ROOT)
    with serving(process, f"http://127.0.0.1:{port}") as url:
        yield url


def main() -> None:
    rows = [
        plans(),
        cache_reads(),
        waits(),
        urls(),
        cookies(),
        *document_hashes(),
        mock_latency(),
        exchanges(),
    ]
    print(table(["measure", "before", "now"], rows))


if __name__ == "__main__":
    main()
