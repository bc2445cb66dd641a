"""Where cached answers live: bounded memory in this process, or Redis shared by replicas."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
from cachetools import LRUCache

from clients._cache_control import Scope


@dataclass(slots=True)
class StoredResponse:
    """An answer as stored: its body, validator and freshness, on the wall clock."""

    content: bytes
    etag: str | None
    stored_at: float
    max_age_s: float
    scope: Scope
    # The decoded value (and the type it was decoded as), kept beside the bytes in memory so
    # that hits skip decoding.
    decoded: Any = field(default=None, compare=False)
    decoded_as: Any = field(default=None, compare=False)

    def age_s(self, now: float) -> float:
        return max(0.0, now - self.stored_at)

    def is_fresh(self, now: float) -> bool:
        return self.age_s(now) < self.max_age_s

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "c": self.content.decode(),
                "e": self.etag,
                "t": self.stored_at,
                "m": self.max_age_s,
                "s": self.scope.value,
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoredResponse:
        data = orjson.loads(raw)
        return cls(data["c"].encode(), data["e"], data["t"], data["m"], Scope(data["s"]))


class CacheStore(Protocol):
    async def get(self, key: str) -> StoredResponse | None: ...

    async def get_many(self, keys: list[str]) -> list[StoredResponse | None]:
        """The entries of ``keys``, in order, in one round trip."""

    async def put(self, key: str, entry: StoredResponse, keep_s: float) -> None: ...

    async def delete(self, keys: Iterable[str]) -> None: ...

    async def index(self, tags: Iterable[str], key: str, keep_s: float) -> None:
        """Remember that ``key`` holds data of each tag (an entity), for invalidation."""

    async def tagged(self, tags: Iterable[str]) -> set[str]: ...

    async def try_lock(self, key: str, hold_s: float) -> bool:
        """Claim the right to fill ``key``; False if another process is filling it."""

    async def unlock(self, key: str) -> None: ...

    async def is_locked(self, key: str) -> bool: ...

    async def clear(self) -> None: ...


# An entry and the wall-clock time it is kept until (freshness plus the stale-if-error window).
_Kept = tuple[StoredResponse, float]


class _CountingLRU(LRUCache[str, _Kept]):
    evictions = 0

    def popitem(self) -> tuple[str, _Kept]:
        self.evictions += 1
        return super().popitem()


class MemoryCacheStore:
    """Bounded in entries and in bytes (each entry weighs at least ``bytes / entries``).

    An LRU cache whose entries carry the time they are kept until: one that has outlived it is
    dropped when it is next read, or evicted by newer ones. cachetools' TLRU cache drops them
    eagerly, at 1.2 to 1.4 µs per read against under 0.3 (``bench/micro.py``), and a page of
    orders reads about a hundred entities.
    """

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        floor = max(1, max_bytes // max_entries)

        def weight(kept: _Kept) -> int:
            return max(floor, len(kept[0].content) + 200)

        # Every entry weighs at least ``floor``: a budget of ``floor * max_entries`` bounds the
        # entries as well as the bytes (``max_bytes`` alone lets a remainder hold a few more).
        self._entries = _CountingLRU(maxsize=min(max_bytes, floor * max_entries), getsizeof=weight)
        self._tags: LRUCache[str, set[str]] = LRUCache(maxsize=max_entries * 4)

    @property
    def evictions(self) -> int:
        return self._entries.evictions

    @property
    def size(self) -> int:
        return len(self._entries)

    async def get(self, key: str) -> StoredResponse | None:
        return self._kept(key, time.time())

    async def get_many(self, keys: list[str]) -> list[StoredResponse | None]:
        now = time.time()
        return [self._kept(key, now) for key in keys]

    def _kept(self, key: str, now: float) -> StoredResponse | None:
        kept = self._entries.get(key)
        if kept is None:
            return None
        if now < kept[1]:
            return kept[0]
        self._entries.pop(key, None)
        return None

    async def put(self, key: str, entry: StoredResponse, keep_s: float) -> None:
        if keep_s <= 0:
            self._entries.pop(key, None)
            return
        # An entry larger than the whole cache is simply not cached.
        with contextlib.suppress(ValueError):
            self._entries[key] = (entry, time.time() + keep_s)

    async def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def index(self, tags: Iterable[str], key: str, keep_s: float) -> None:
        for tag in tags:
            self._tags.setdefault(tag, set()).add(key)

    async def tagged(self, tags: Iterable[str]) -> set[str]:
        keys: set[str] = set()
        for tag in tags:
            keys |= self._tags.pop(tag, set())
        return keys

    async def try_lock(self, key: str, hold_s: float) -> bool:
        return True  # one process: in-flight coalescing already serialises fills

    async def unlock(self, key: str) -> None:
        return None

    async def is_locked(self, key: str) -> bool:
        return False

    async def clear(self) -> None:
        self._entries.clear()
        self._tags.clear()


class RedisCacheStore:
    """Entries shared by every replica; deleting a key invalidates it for all of them."""

    def __init__(self, redis: Any, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _k(self, kind: str, key: str) -> str:
        return f"{self._prefix}:{kind}:{key}"

    async def get(self, key: str) -> StoredResponse | None:
        raw = await self._redis.get(self._k("r", key))
        return StoredResponse.from_bytes(raw) if raw else None

    async def get_many(self, keys: list[str]) -> list[StoredResponse | None]:
        if not keys:
            return []
        raws = await self._redis.mget([self._k("r", key) for key in keys])
        return [StoredResponse.from_bytes(raw) if raw else None for raw in raws]

    async def put(self, key: str, entry: StoredResponse, keep_s: float) -> None:
        await self._redis.set(self._k("r", key), entry.to_bytes(), px=max(1, int(keep_s * 1000)))

    async def delete(self, keys: Iterable[str]) -> None:
        names = [self._k("r", key) for key in keys]
        if names:
            await self._redis.delete(*names)

    async def index(self, tags: Iterable[str], key: str, keep_s: float) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for tag in tags:
                name = self._k("i", tag)
                pipe.sadd(name, key)
                pipe.expire(name, max(1, int(keep_s)) + 60)
            await pipe.execute()

    async def tagged(self, tags: Iterable[str]) -> set[str]:
        keys: set[str] = set()
        for tag in tags:
            name = self._k("i", tag)
            members = await self._redis.smembers(name)
            await self._redis.delete(name)
            keys |= {m.decode() if isinstance(m, bytes) else str(m) for m in members}
        return keys

    async def try_lock(self, key: str, hold_s: float) -> bool:
        claimed = await self._redis.set(self._k("l", key), b"1", nx=True, px=int(hold_s * 1000))
        return bool(claimed)

    async def unlock(self, key: str) -> None:
        await self._redis.delete(self._k("l", key))

    async def is_locked(self, key: str) -> bool:
        return bool(await self._redis.exists(self._k("l", key)))

    async def clear(self) -> None:
        names = [name async for name in self._redis.scan_iter(match=f"{self._prefix}:*")]
        if names:
            await self._redis.delete(*names)


async def wait_for_fill(store: CacheStore, key: str, timeout_s: float) -> StoredResponse | None:
    """Poll for an entry another replica is filling; None if its fill ended without one
    (a private or failed answer) or did not end in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        entry = await store.get(key)
        if entry is not None:
            return entry
        if not await store.is_locked(key):
            return None
    return None
