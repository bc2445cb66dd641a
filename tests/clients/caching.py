"""Transports over respx with an HTTP cache whose clock the test moves, and request helpers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from clients import CallContext, ServiceTransport, TransportConfig
from clients._cache_store import CacheStore, MemoryCacheStore
from clients._http import DownstreamResponse
from clients._http_cache import HttpCache
from clients._retry import RetryPolicy
from tests.clients.payloads import MENU_URL

PUBLIC_60 = {"Cache-Control": "public, max-age=60"}
PRIVATE_2 = {"Cache-Control": "private, max-age=2"}
NO_STORE = {"Cache-Control": "private, no-store"}
# Retries without waiting: the tests count requests, they never measure delays.
QUICK_RETRY = RetryPolicy(attempts=3, base_delay_s=0.0, max_delay_s=0.0)


class ManualClock:
    """The wall clock of an ``HttpCache``, moved by the test instead of by time."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class CachedService:
    transport: ServiceTransport
    cache: HttpCache
    clock: ManualClock

    async def get(
        self,
        path: str,
        ctx: CallContext,
        *,
        params: dict[str, str] | None = None,
        route: str | None = None,
    ) -> DownstreamResponse:
        return await self.transport.get(path, ctx, params=params, route=route)


@asynccontextmanager
async def cached_service(
    config: TransportConfig | None = None,
    *,
    store: CacheStore | None = None,
    stale_if_error_s: float = 300.0,
    clock: ManualClock | None = None,
) -> AsyncIterator[CachedService]:
    cache = HttpCache(store or MemoryCacheStore(), stale_if_error_s=stale_if_error_s)
    clock = clock or ManualClock()
    cache.clock = clock
    transport = ServiceTransport(
        "menu", config or TransportConfig(MENU_URL, retry=QUICK_RETRY), cache=cache
    )
    try:
        yield CachedService(transport, cache, clock)
    finally:
        await transport.aclose()


def ctx_of(user_id: str | None = None, **extra: Any) -> CallContext:
    return CallContext(client="web", user_id=user_id, **extra)


def ids_of(request: httpx.Request, param: str = "ids") -> list[str]:
    values = request.url.params.get_list(param)
    assert len(values) == 1, f"{param} must be sent exactly once: {request.url}"
    return values[0].split(",")


@dataclass
class Gate:
    """A respx side effect that holds every request until ``open()``; keeps what arrived."""

    answer: Callable[[httpx.Request], httpx.Response]
    arrived: list[httpx.Request] = field(default_factory=list)
    _open: asyncio.Event = field(default_factory=asyncio.Event)
    _arrival: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        async with self._arrival:
            self.arrived.append(request)
            self._arrival.notify_all()
        await self._open.wait()
        return self.answer(request)

    def open(self) -> None:
        self._open.set()

    async def wait_for_arrivals(self, count: int, timeout_s: float = 5.0) -> None:
        async with asyncio.timeout(timeout_s), self._arrival:
            await self._arrival.wait_for(lambda: len(self.arrived) >= count)


def answering(outcome: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect giving the same answer, or raising the same error, every time."""

    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(outcome, Exception):
            raise outcome
        return httpx.Response(outcome.status_code, headers=outcome.headers, content=outcome.content)

    return answer


async def settle(rounds: int = 20) -> None:
    """Let every ready task run until it blocks (joins a flight, reaches a gate)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def poll(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait until ``condition()`` holds; fails the test if it does not within ``timeout_s``."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110 - nothing signals these conditions
            await asyncio.sleep(0.005)


async def poll_async(condition: Callable[[], Awaitable[bool]], timeout_s: float = 5.0) -> None:
    """``poll`` for a condition that has to ask something (a store, a server)."""
    async with asyncio.timeout(timeout_s):
        while not await condition():  # noqa: ASYNC110 - the condition is asked, not signalled
            await asyncio.sleep(0.01)
