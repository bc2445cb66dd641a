"""The shared HTTP client of one downstream service and the policies wrapped around a call.

A GET goes: cache (fresh hit, or a conditional request) → in-flight coalescing → breaker →
bulkhead → deadline-bounded attempt, retried within the retry budget → back into the cache.
When the service fails, an expired answer still within the stale-if-error window is served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
import orjson

from clients._breaker import BreakerConfig, CircuitBreaker
from clients._bulkhead import Bulkhead, BulkheadFull
from clients._cache_store import StoredResponse, wait_for_fill
from clients._connections import DownstreamClient, pooled_transport
from clients._context import CallContext
from clients._exceptions import (
    BulkheadRejected,
    CircuitOpen,
    DownstreamError,
    DownstreamTimeout,
    DownstreamUnavailable,
    MalformedResponse,
)
from clients._http import DownstreamResponse, request_url, send_request
from clients._http_cache import HttpCache, request_key
from clients._retry import RetryBudget, RetryPolicy
from clients._trace import CacheOutcome, CallRecord, CallTrace

# Time kept back from the deadline so that a failing call still leaves time to answer.
DEADLINE_MARGIN_S = 0.01
MAX_RETRY_AFTER_S = 5.0
FILL_LOCK_S = 5.0


@dataclass(frozen=True, slots=True)
class TransportConfig:
    """How one service is reached and protected; every field has a setting of its own."""

    base_url: str
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 2.0
    max_connections: int = 100
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retry_budget_ratio: float = 0.1
    retry_budget_floor: int = 10
    breaker: BreakerConfig | None = field(default_factory=BreakerConfig)
    max_concurrent: int = 100
    bulkhead_wait_s: float = 0.1


class ServiceTransport:
    """One service's pooled ``httpx.AsyncClient`` and its resilience and caching policies."""

    def __init__(
        self,
        service: str,
        config: TransportConfig,
        *,
        http_transport: httpx.AsyncBaseTransport | None = None,
        cache: HttpCache | None = None,
    ) -> None:
        self.service = service
        self.config = config
        self.cache = cache
        self.breaker = CircuitBreaker(config.breaker) if config.breaker else None
        self.bulkhead = Bulkhead(config.max_concurrent, config.bulkhead_wait_s)
        self.budget = RetryBudget(config.retry_budget_ratio, config.retry_budget_floor)
        self._inflight: dict[str, asyncio.Task[DownstreamResponse]] = {}
        self._base_url = config.base_url.rstrip("/")
        self._http = DownstreamClient(
            timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
            transport=http_transport or pooled_transport(config.max_connections),
            follow_redirects=False,
        )

    async def get(
        self,
        path: str,
        ctx: CallContext,
        *,
        params: Mapping[str, str] | None = None,
        route: str | None = None,
        batch_size: int | None = None,
        tags: Iterable[str] = (),
    ) -> DownstreamResponse:
        """A GET, answered from the cache when its Cache-Control allows it."""
        route = route or f"GET {path}"
        if self.cache is None or ctx.bypass_cache:
            return await self.call(
                "GET", path, ctx, params=params, route=route, batch_size=batch_size
            )
        base = request_key(path, params)
        entry = await self.cache.lookup(base, ctx.user_id, route)
        if entry is not None and self.cache.is_fresh(entry):
            self.cache.stats.hits += 1
            _note(ctx.trace, self.service, route, batch_size, CacheOutcome.HIT)
            return DownstreamResponse.cached(entry)
        if _deadline_passed(ctx):
            # A shared fill ignores the caller's deadline: nobody would wait for this one.
            return await self.call(
                "GET", path, ctx, params=params, route=route, batch_size=batch_size
            )
        # Concurrent identical requests share one call; private answers only within one user.
        flight = base if self.cache.is_public(route) else f"{ctx.user_id}|{base}"
        running = self._inflight.get(flight)
        if running is not None:
            self.cache.stats.coalesced += 1
            _note(ctx.trace, self.service, route, batch_size, CacheOutcome.COALESCED)
            return await self._await_shared(running, ctx)
        # The shared call serves every waiter: it is bounded by the service's timeouts, not by
        # the first caller's deadline; each waiter gives up at its own deadline instead.
        shared = replace(ctx, deadline=None)
        task = asyncio.create_task(
            self._fill(path, params, shared, route, base, entry, batch_size, list(tags))
        )
        self._inflight[flight] = task
        task.add_done_callback(lambda _: self._inflight.pop(flight, None))
        return await self._await_shared(task, ctx)

    async def _await_shared(
        self, task: asyncio.Task[DownstreamResponse], ctx: CallContext
    ) -> DownstreamResponse:
        remaining = _remaining_s(ctx)
        if remaining is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), max(0.0, remaining))
        except TimeoutError:
            raise DownstreamTimeout(self.service, "request deadline reached") from None

    async def _fill(
        self,
        path: str,
        params: Mapping[str, str] | None,
        ctx: CallContext,
        route: str,
        base: str,
        entry: StoredResponse | None,
        batch_size: int | None,
        tags: list[str],
    ) -> DownstreamResponse:
        assert self.cache is not None
        lock = f"p|{base}"
        locked = False
        if entry is None and self.cache.may_be_shared(route):
            # With a shared store, one replica fetches while the others wait for its answer.
            locked = await self.cache.backend.try_lock(lock, FILL_LOCK_S)
            if locked:
                # Another replica may have filled it between our lookup and our lock.
                current = await self.cache.lookup(base, ctx.user_id, route)
                if current is not None and self.cache.is_fresh(current):
                    await self.cache.backend.unlock(lock)
                    self.cache.stats.coalesced += 1
                    _note(ctx.trace, self.service, route, batch_size, CacheOutcome.COALESCED)
                    return DownstreamResponse.cached(current)
            else:
                filled = await self._filled_by_other_replica(lock, ctx, route, batch_size)
                if filled is not None:
                    return filled
        try:
            return await self._fetch_and_store(
                path, params, ctx, route, base, entry, batch_size, tags
            )
        finally:
            if locked:  # released once the answer is stored, so waiters find it
                await self.cache.backend.unlock(lock)

    async def _fetch_and_store(
        self,
        path: str,
        params: Mapping[str, str] | None,
        ctx: CallContext,
        route: str,
        base: str,
        entry: StoredResponse | None,
        batch_size: int | None,
        tags: list[str],
    ) -> DownstreamResponse:
        assert self.cache is not None
        cache = self.cache
        conditional = {"If-None-Match": entry.etag} if entry is not None and entry.etag else None
        outcome = CacheOutcome.REVALIDATED if conditional else CacheOutcome.MISS
        try:
            response = await self.call(
                "GET",
                path,
                ctx,
                params=params,
                headers=conditional,
                route=route,
                batch_size=batch_size,
                outcome=outcome,
            )
        except DownstreamUnavailable:
            if entry is None or not cache.usable_stale(entry):
                raise
            cache.stats.stale_served += 1
            age = cache.age_s(entry)
            record = _note(ctx.trace, self.service, route, batch_size, CacheOutcome.STALE)
            if record is not None:
                record.stale_age_s = age
            return DownstreamResponse.cached(entry, stale_age_s=age)
        if response.status == 304:
            if entry is None:
                raise MalformedResponse(self.service, "304 to an unconditional request")
            cache.stats.revalidations += 1
            await cache.refresh(base, ctx.user_id, entry)
            return DownstreamResponse.cached(entry)
        cache.stats.misses += 1
        stored = await cache.put(
            route, base, ctx.user_id, response.freshness, response.content, response.etag, tags=tags
        )
        response.entry = stored
        return response

    async def _filled_by_other_replica(
        self, lock: str, ctx: CallContext, route: str, batch_size: int | None
    ) -> DownstreamResponse | None:
        assert self.cache is not None
        started = asyncio.get_running_loop().time()
        entry = await wait_for_fill(self.cache.backend, lock, timeout_s=FILL_LOCK_S)
        if entry is None:
            return None
        self.cache.stats.coalesced += 1
        record = _note(ctx.trace, self.service, route, batch_size, CacheOutcome.COALESCED)
        if record is not None:
            record.duration_ms = (asyncio.get_running_loop().time() - started) * 1000
        return DownstreamResponse.cached(entry)

    async def post(
        self,
        path: str,
        ctx: CallContext,
        *,
        body: Any,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        route: str | None = None,
    ) -> DownstreamResponse:
        """A POST; repeated only when ``retry`` is given (a keyed, idempotent request)."""
        return await self.call(
            "POST",
            path,
            ctx,
            body=body,
            headers=headers,
            route=route or f"POST {path}",
            retry=retry,
            outcome=CacheOutcome.BYPASS,
        )

    async def call(
        self,
        method: str,
        path: str,
        ctx: CallContext,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        route: str,
        batch_size: int | None = None,
        outcome: CacheOutcome = CacheOutcome.MISS,
        retry: RetryPolicy | None = None,
    ) -> DownstreamResponse:
        """One logical call: attempts within the deadline, retried as the policy allows."""
        policy = retry if retry is not None or method != "GET" else self.config.retry
        record = _note(ctx.trace, self.service, route, batch_size, outcome)
        content = orjson.dumps(body) if body is not None else None
        attempt = 1
        try:
            while True:
                try:
                    response = await self._attempt(
                        method, path, ctx, params, content, headers, first=attempt == 1
                    )
                except DownstreamUnavailable as error:
                    delay = self._retry_delay(policy, error, attempt, ctx)
                    if delay is None:
                        raise
                    await asyncio.sleep(delay)
                    attempt += 1
                    if record is not None:
                        record.retries += 1
                    continue
                CallTrace.finish(record, response.status) if record else None
                return response
        except DownstreamError as error:
            if record is not None:
                CallTrace.finish(record, getattr(error, "status", None), type(error).__name__)
            raise

    def _retry_delay(
        self,
        policy: RetryPolicy | None,
        error: DownstreamUnavailable,
        attempt: int,
        ctx: CallContext,
    ) -> float | None:
        if policy is None or not policy.should_retry(error, attempt):
            return None
        retry_after = error.retry_after
        if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
            return None
        delay = policy.delay_s(attempt, retry_after)
        remaining = _remaining_s(ctx)
        if remaining is not None and delay >= remaining - DEADLINE_MARGIN_S:
            return None  # Retry-After (or the backoff) does not fit in what is left.
        if not self.budget.try_spend():
            return None
        return delay

    async def _attempt(
        self,
        method: str,
        path: str,
        ctx: CallContext,
        params: Mapping[str, str] | None,
        content: bytes | None,
        headers: Mapping[str, str] | None,
        *,
        first: bool = True,
    ) -> DownstreamResponse:
        # The deadline before the breaker: a half-open breaker's probe must be one that goes out.
        if _deadline_passed(ctx):
            raise DownstreamTimeout(self.service, "request deadline reached")
        remaining = _remaining_s(ctx)
        breaker = self.breaker
        if breaker is not None and not breaker.allow():
            raise CircuitOpen(self.service, "circuit open")
        timeout = None
        if remaining is not None:
            # Never wait longer than what is left of the request's deadline.
            read = min(self.config.read_timeout_s, remaining)
            timeout = httpx.Timeout(read, connect=min(self.config.connect_timeout_s, read))
        request_headers = ctx.headers()
        if headers:
            request_headers.update(headers)
        if content is not None:
            request_headers["Content-Type"] = "application/json"
        try:
            async with self.bulkhead.slot():
                if first:  # retries are what the budget limits, so they are not calls
                    self.budget.record_call()
                response = await self._send(
                    method, path, ctx, params, content, request_headers, timeout
                )
        except BulkheadFull:
            if breaker is not None:
                breaker.release()
            raise BulkheadRejected(self.service, "too many calls in flight") from None
        except asyncio.CancelledError:
            if breaker is not None:
                breaker.release()
            raise
        except DownstreamUnavailable:
            if breaker is not None:
                breaker.record(False)
            raise
        except DownstreamError:
            if breaker is not None:
                breaker.record(True)  # a 4xx is an answer: the service is healthy
            raise
        if breaker is not None:
            breaker.record(True)
        return response

    async def _send(
        self,
        method: str,
        path: str,
        ctx: CallContext,
        params: Mapping[str, str] | None,
        content: bytes | None,
        headers: Mapping[str, str],
        wait: httpx.Timeout | None,
    ) -> DownstreamResponse:
        # httpx's timeouts bound each read and write, not the whole exchange: an answer that
        # trickles in (or a transport that ignores them) is cut at the deadline here.
        try:
            async with asyncio.timeout_at(ctx.deadline):
                return await send_request(
                    self._http,
                    self.service,
                    method,
                    request_url(self._base_url, path, params),
                    content=content,
                    headers=headers,
                    wait=wait,
                )
        except TimeoutError:
            raise DownstreamTimeout(self.service, "request deadline reached") from None

    async def aclose(self) -> None:
        await self._http.aclose()


def _remaining_s(ctx: CallContext) -> float | None:
    if ctx.deadline is None:
        return None
    return ctx.deadline - asyncio.get_running_loop().time()


def _deadline_passed(ctx: CallContext) -> bool:
    remaining = _remaining_s(ctx)
    return remaining is not None and remaining <= DEADLINE_MARGIN_S


def _note(
    trace: CallTrace | None,
    service: str,
    route: str,
    batch_size: int | None,
    outcome: CacheOutcome,
) -> CallRecord | None:
    if trace is None:
        return None
    record = trace.start(service, route, batch_size, outcome)
    if outcome in (CacheOutcome.HIT, CacheOutcome.COALESCED, CacheOutcome.STALE):
        CallTrace.finish(record, 200)
    return record
