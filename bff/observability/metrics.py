"""Prometheus metrics of the BFF process, served at ``/metrics``.

Request and downstream metrics are recorded as requests finish; cache, breaker and subscription
figures are read from the running app when scraped (``RuntimeCollector``), so the transport's hot
path stays untouched. Every label set is bounded: operation names are the client's known
operations or ``other``, endpoints are route templates, error codes and outcomes are enums.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from clients import SERVICES
from clients._breaker import BreakerState
from clients._trace import CacheOutcome, CallRecord
from schema.operations import client_operations

OTHER = "other"
CODELESS_ERROR = "GRAPHQL_VALIDATION_FAILED"
_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
# Served without a call: their time is not the service's.
_LOCAL_OUTCOMES = frozenset({CacheOutcome.HIT, CacheOutcome.COALESCED, CacheOutcome.STALE})

# Process-wide, as prometheus-client intends; one app or several in a process share them.
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200)

REQUESTS = Counter(
    "bff_graphql_requests",
    "GraphQL operations served, by client, operation name and outcome (ok or errors).",
    ["client", "operation", "outcome"],
    registry=REGISTRY,
)
REQUEST_LATENCY = Histogram(
    "bff_graphql_request_duration_seconds",
    "Time to execute a GraphQL operation.",
    ["client", "operation"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
ERRORS = Counter(
    "bff_graphql_errors",
    "GraphQL errors in responses, by their extensions.code.",
    ["client", "operation", "code"],
    registry=REGISTRY,
)
DOWNSTREAM_CALLS = Counter(
    "bff_downstream_calls",
    "Downstream calls made for GraphQL requests, by how the HTTP cache served them.",
    ["service", "endpoint", "cache"],
    registry=REGISTRY,
)
DOWNSTREAM_LATENCY = Histogram(
    "bff_downstream_call_duration_seconds",
    "Time of downstream calls that went to the service (retries included).",
    ["service", "endpoint"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
DOWNSTREAM_ERRORS = Counter(
    "bff_downstream_errors",
    "Downstream calls that failed, by error type.",
    ["service", "endpoint", "error"],
    registry=REGISTRY,
)
DOWNSTREAM_RETRIES = Counter(
    "bff_downstream_retries",
    "Retried attempts of downstream calls.",
    ["service", "endpoint"],
    registry=REGISTRY,
)
BATCH_SIZE = Histogram(
    "bff_dataloader_batch_size",
    "Ids asked for in one batched downstream call.",
    ["service", "endpoint"],
    buckets=_BATCH_BUCKETS,
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "bff_rate_limited",
    "Requests refused by a rate limit.",
    ["client", "limit"],
    registry=REGISTRY,
)


def record_rate_limited(client: str, limit: str = "user") -> None:
    """Count one refusal by a rate limit (``limit``: which bucket, e.g. ``user`` or ``ip``).

    For the rate limiter: call it once for each refused request.
    """
    RATE_LIMITED.labels(client, limit).inc()


def operation_label(client: str, name: str | None) -> str:
    """The operation's name if it is one of the client's known operations, else ``other``."""
    if name is not None and name in _known_operations(client):
        return name
    return OTHER


_KNOWN: dict[str, frozenset[str]] = {}


def _known_operations(client: str) -> frozenset[str]:
    known = _KNOWN.get(client)
    if known is None:
        known = frozenset(op.name for op in client_operations(client))
        _KNOWN[client] = known
    return known


def error_code_label(code: object) -> str:
    if code is None:
        return CODELESS_ERROR
    text = str(code)
    return text if _CODE.fullmatch(text) else OTHER


@lru_cache(maxsize=8192)
def _child(metric: Any, *values: str) -> Any:
    """A metric's child for these label values (bounded sets: looked up once, kept)."""
    return metric.labels(*values)


def record_operation(
    client: str,
    operation: str,
    duration_s: float | None,
    error_codes: Iterable[str],
    calls: Iterable[CallRecord],
) -> None:
    codes = list(error_codes)
    _child(REQUESTS, client, operation, "errors" if codes else "ok").inc()
    if duration_s is not None:  # None for a subscription: its lifetime is not a latency
        _child(REQUEST_LATENCY, client, operation).observe(duration_s)
    for code in codes:
        _child(ERRORS, client, operation, code).inc()
    for call in calls:
        record_call(call)


def record_call(call: CallRecord) -> None:
    service, endpoint = call.service, call.route
    _child(DOWNSTREAM_CALLS, service, endpoint, call.cache.value).inc()
    if call.cache not in _LOCAL_OUTCOMES:
        _child(DOWNSTREAM_LATENCY, service, endpoint).observe(call.duration_ms / 1000)
    if call.batch_size is not None:
        _child(BATCH_SIZE, service, endpoint).observe(call.batch_size)
    if call.retries:
        _child(DOWNSTREAM_RETRIES, service, endpoint).inc(call.retries)
    if call.error is not None:
        _child(DOWNSTREAM_ERRORS, service, endpoint, call.error).inc()


class RuntimeCollector(Collector):
    """Cache counters, breaker states and live subscriptions of one app, read when scraped."""

    def __init__(self, state: Any) -> None:
        self.state = state  # the app's ``app.state``: downstream and order_events appear at start

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        downstream = getattr(self.state, "downstream", None)
        if downstream is not None:
            yield from self._cache(downstream)
            yield from self._breakers(downstream)
        hub = getattr(self.state, "order_events", None)
        subscribers = GaugeMetricFamily(
            "bff_subscriptions_active", "Live order-tracking subscriptions in this process."
        )
        subscribers.add_metric([], hub.subscriber_count if hub is not None else 0)
        yield subscribers

    def _cache(self, downstream: Any) -> Iterator[CounterMetricFamily]:
        events = CounterMetricFamily(
            "bff_http_cache_events",
            "Downstream HTTP cache events by service (hits, misses, revalidations, stale, "
            "coalesced, invalidations, stored).",
            labels=["service", "event"],
        )
        for service in SERVICES:
            cache = downstream.transport(service).cache
            if cache is None:
                continue
            stats = cache.stats
            for event in (
                "hits",
                "misses",
                "revalidations",
                "stale_served",
                "coalesced",
                "invalidations",
                "stored",
            ):
                events.add_metric([service, event], getattr(stats, event))
        yield events

    def _breakers(self, downstream: Any) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "bff_breaker_state",
            "Circuit breaker state per service: 1 for the current state, 0 for the others.",
            labels=["service", "state"],
        )
        opened = CounterMetricFamily(
            "bff_breaker_opened", "Times each service's breaker opened.", labels=["service"]
        )
        for service in SERVICES:
            breaker = downstream.transport(service).breaker
            current = breaker.state.value if breaker is not None else "disabled"
            for state in [*(s.value for s in BreakerState), "disabled"]:
                gauge.add_metric([service, state], 1.0 if state == current else 0.0)
            if breaker is not None:
                opened.add_metric([service], breaker.opened_count)
        yield gauge
        yield opened


def metrics_router(state: Any) -> APIRouter:
    """``GET /metrics``: the process-wide metrics and this app's runtime figures."""
    runtime = CollectorRegistry(auto_describe=False)
    runtime.register(RuntimeCollector(state))
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        body = generate_latest(REGISTRY) + generate_latest(runtime)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
