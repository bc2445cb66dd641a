"""Token buckets per user and per client IP: in process, or in Redis so that the limit holds
across every replica. Taking a token is O(1): one dict entry, or one Redis script call."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from cachetools import LRUCache

RATE_LIMITED = "RATE_LIMITED"


@dataclass(frozen=True, slots=True)
class BucketRule:
    per_s: float
    burst: int


class Buckets(Protocol):
    async def take(self, key: str, rule: BucketRule) -> float:
        """Take a token: 0 when granted, else the seconds until one is available."""


class MemoryBuckets:
    """This process's buckets; the least recently seen callers are forgotten (their bucket
    would be full again anyway)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._buckets: LRUCache[str, tuple[float, float]] = LRUCache(maxsize=max_keys)

    async def take(self, key: str, rule: BucketRule) -> float:
        now = time.monotonic()
        tokens, at = self._buckets.get(key, (float(rule.burst), now))
        tokens = min(float(rule.burst), tokens + (now - at) * rule.per_s)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1 - tokens) / rule.per_s


# Refill and take atomically on Redis's clock, so replicas with skewed clocks agree.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisBuckets:
    """Buckets shared by every replica."""

    def __init__(self, redis: Any, prefix: str = "bff:rate") -> None:
        self._take = redis.register_script(_TAKE)
        self._prefix = prefix

    async def take(self, key: str, rule: BucketRule) -> float:
        wait = await self._take(keys=[f"{self._prefix}:{key}"], args=[rule.per_s, rule.burst])
        return float(wait.decode() if isinstance(wait, bytes) else wait)


@dataclass(frozen=True, slots=True)
class RateLimiter:
    """One token per operation from the caller's IP bucket and, when signed in, its user's."""

    buckets: Buckets
    per_user: BucketRule
    per_ip: BucketRule

    async def take(self, user_id: str | None, ip: str | None) -> float:
        wait = await self.buckets.take(f"ip:{ip or 'unknown'}", self.per_ip)
        if user_id is not None:
            wait = max(wait, await self.buckets.take(f"user:{user_id}", self.per_user))
        return wait


class RateLimited(Exception):
    """A single operation refused: answered ``429`` with ``Retry-After``."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after_s:.2f}s")
        self.retry_after_s = retry_after_s
