"""Everything the BFF keeps open to the downstream services: clients, caches, event consumers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bff.event_consumers import EventConsumers
from bff.order_events import OrderEventHub
from bff.settings import Settings
from clients import SERVICES, CallContext, Downstream, TransportConfig
from clients._breaker import BreakerConfig
from clients._cache_store import CacheStore, MemoryCacheStore, RedisCacheStore
from clients._http_cache import HttpCache
from clients._retry import RetryPolicy
from clients.events import STREAM_RESET, EventStream, ServiceEvent


def transport_config(settings: Settings, service: str) -> TransportConfig:
    policy = settings.service(service)
    breaker = None
    if policy.breaker_enabled:
        breaker = BreakerConfig(
            window_s=policy.breaker_window_s,
            min_calls=policy.breaker_min_calls,
            failure_ratio=policy.breaker_failure_ratio,
            open_s=policy.breaker_open_s,
            half_open_probes=policy.breaker_half_open_probes,
        )
    return TransportConfig(
        base_url=settings.base_url(service),
        connect_timeout_s=policy.connect_timeout_s,
        read_timeout_s=policy.read_timeout_s,
        max_connections=policy.max_connections,
        retry=RetryPolicy(
            attempts=policy.retry_attempts,
            base_delay_s=policy.retry_base_delay_s,
            max_delay_s=policy.retry_max_delay_s,
        ),
        retry_budget_ratio=policy.retry_budget_ratio,
        retry_budget_floor=policy.retry_budget_floor,
        breaker=breaker,
        max_concurrent=policy.max_concurrent,
        bulkhead_wait_s=policy.bulkhead_wait_s,
    )


def _cache_store(settings: Settings, service: str, redis: Any) -> CacheStore:
    if redis is not None:
        return RedisCacheStore(redis, prefix=f"bff:cache:{service}")
    return MemoryCacheStore(settings.cache_max_entries, settings.cache_max_bytes)


@dataclass
class DownstreamRuntime:
    downstream: Downstream
    order_events: OrderEventHub
    consumers: EventConsumers
    redis: Any = None

    def start(self) -> None:
        self.consumers.start()

    async def aclose(self) -> None:
        await self.consumers.stop()
        await self.downstream.aclose()
        if self.redis is not None:
            await self.redis.aclose()


def open_downstream(
    settings: Settings,
    client: str,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> DownstreamRuntime:
    """Clients with their caches, and consumers of the streams for tracking and invalidation.

    Background calls (the event streams) say which client the process serves.
    """
    redis = None
    if settings.cache_enabled and settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
    configs = {service: transport_config(settings, service) for service in SERVICES}
    caches = None
    if settings.cache_enabled:
        caches = {
            service: HttpCache(
                _cache_store(settings, service, redis), stale_if_error_s=settings.stale_if_error_s
            )
            for service in SERVICES
        }
    downstream = Downstream.build(configs, http_transport=http_transport, caches=caches)
    hub = OrderEventHub()
    consumers = EventConsumers()
    ctx = CallContext(client=client)
    for service in ("order", "courier"):
        consumers.add(
            EventStream(service, configs[service], ctx, http_transport=http_transport), hub.dispatch
        )
    if caches is not None:

        async def invalidate(event: ServiceEvent) -> None:
            if event.type == STREAM_RESET:
                # Invalidations may have been missed: nothing cached can be trusted.
                await caches["menu"].clear()
            else:
                await downstream.menu.invalidate(event)

        menu_events = EventStream("menu", configs["menu"], ctx, http_transport=http_transport)
        consumers.add(menu_events, invalidate)
    return DownstreamRuntime(downstream, hub, consumers, redis)
