"""The HTTP cache of one service: answers and entities, by the rules of their Cache-Control.

Public answers are shared by every caller; private ones are kept per user; ``no-store`` ones
are never kept. Entries outlive their freshness by the stale-if-error window, so that an
expired answer can be revalidated (``If-None-Match``) or, when the service fails, served stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from clients._cache_control import Freshness, Scope
from clients._cache_store import CacheStore, StoredResponse


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    revalidations: int = 0
    stale_served: int = 0
    coalesced: int = 0
    invalidations: int = 0
    stored: int = 0


def request_key(path: str, params: Mapping[str, str] | None) -> str:
    if not params:
        return path
    return path + "?" + "&".join(f"{k}={params[k]}" for k in sorted(params))


class HttpCache:
    def __init__(self, store: CacheStore, *, stale_if_error_s: float = 300.0) -> None:
        self.backend = store
        self.stale_if_error_s = stale_if_error_s
        self.stats = CacheStats()
        # The wall clock entries are dated by (shared by replicas through Redis); replaceable
        # so that tests can let time pass.
        self.clock: Callable[[], float] = time.time
        # Learned from answers: until a route has answered "public", it is treated as private.
        self._scopes: dict[str, Scope] = {}

    def is_public(self, route: str) -> bool:
        return self._scopes.get(route) is Scope.PUBLIC

    def may_be_shared(self, route: str) -> bool:
        """Public, or not known yet: another replica's fill may be usable."""
        return self._scopes.get(route) in (None, Scope.PUBLIC)

    def _keys(self, base: str, user_id: str | None) -> list[str]:
        keys = [f"p|{base}"]
        if user_id is not None:
            keys.append(f"u:{user_id}|{base}")
        return keys

    def _key_for(self, base: str, scope: Scope, user_id: str | None) -> str | None:
        if scope is Scope.PUBLIC:
            return f"p|{base}"
        if scope is Scope.PRIVATE and user_id is not None:
            return f"u:{user_id}|{base}"
        return None

    async def lookup(
        self, base: str, user_id: str | None, route: str | None = None
    ) -> StoredResponse | None:
        """The stored entry for this answer, fresh or not (callers check its age)."""
        return (await self.lookup_many([base], user_id, route))[0]

    async def lookup_many(
        self, bases: list[str], user_id: str | None, route: str | None = None
    ) -> list[StoredResponse | None]:
        """The stored entries of several answers (a batch's entities) in one round trip to the
        store. Once ``route`` has answered, only the key of its scope can hold its answers;
        until then the shared key is read first, then the user's."""
        scope = self._scopes.get(route) if route is not None else None
        if scope is not None:
            keys = [self._key_for(base, scope, user_id) for base in bases]
            found = await self.backend.get_many([k for k in keys if k is not None])
            hits = iter(found)
            return [None if k is None else next(hits) for k in keys]
        per_base = len(self._keys("", user_id))
        found = await self.backend.get_many([k for b in bases for k in self._keys(b, user_id)])
        return [
            next((e for e in found[i : i + per_base] if e is not None), None)
            for i in range(0, len(found), per_base)
        ]

    async def put(
        self,
        route: str,
        base: str,
        user_id: str | None,
        freshness: Freshness,
        content: bytes,
        etag: str | None,
        *,
        tags: Iterable[str] = (),
        decoded: object = None,
    ) -> StoredResponse | None:
        self._scopes[route] = freshness.scope
        key = self._key_for(base, freshness.scope, user_id)
        if key is None or not freshness.storable:
            return None
        entry = StoredResponse(
            content, etag, self.clock(), freshness.max_age_s, freshness.scope, decoded
        )
        if decoded is not None:
            entry.decoded_as = type(decoded)
        self.stats.stored += 1
        keep = freshness.max_age_s + self.stale_if_error_s
        await self.backend.put(key, entry, keep)
        tags = list(tags)
        if tags:
            await self.backend.index(tags, key, keep)
        return entry

    async def refresh(self, base: str, user_id: str | None, entry: StoredResponse) -> None:
        """A 304: the stored answer is good for another max-age."""
        entry.stored_at = self.clock()
        key = self._key_for(base, entry.scope, user_id)
        if key is not None:
            await self.backend.put(key, entry, entry.max_age_s + self.stale_if_error_s)

    def usable_stale(self, entry: StoredResponse | None) -> bool:
        if entry is None:
            return False
        return self.age_s(entry) <= entry.max_age_s + self.stale_if_error_s

    def age_s(self, entry: StoredResponse) -> float:
        return entry.age_s(self.clock())

    def is_fresh(self, entry: StoredResponse) -> bool:
        return entry.is_fresh(self.clock())

    async def clear(self) -> None:
        await self.backend.clear()
        self._scopes.clear()

    async def invalidate(self, tags: Iterable[str]) -> int:
        """Drop every entry holding data of these entities (``kind:id`` tags)."""
        keys = await self.backend.tagged(tags)
        if keys:
            await self.backend.delete(keys)
            self.stats.invalidations += len(keys)
        return len(keys)
