"""Cache stores: memory bounded in entries and bytes; Redis shared by replicas, with TTLs,
tag indexes and fill locks (against a real redis-server)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import orjson
import pytest
import redis.asyncio
import respx

from clients import MenuClient
from clients._cache_control import Scope
from clients._cache_store import MemoryCacheStore, RedisCacheStore, StoredResponse
from tests.clients.caching import PUBLIC_60, cached_service, ctx_of, poll_async
from tests.clients.payloads import MENU_URL, restaurant
from tests.support.redis_server import redis_server


def _entry(content: bytes = b'{"id": "r_1"}', etag: str | None = '"v1"') -> StoredResponse:
    return StoredResponse(content, etag, 1_800_000_000.0, 60.0, Scope.PUBLIC)


# -- memory --------------------------------------------------------------------------------


async def test_memory_store_keeps_at_most_max_entries() -> None:
    store = MemoryCacheStore(max_entries=5, max_bytes=1_000_000)
    for n in range(50):
        await store.put(f"k{n}", _entry(), 60)
        assert store.size <= 5
    assert store.size == 5
    assert store.evictions == 45
    # The least recently used went first: the last five are the ones kept.
    assert [n for n in range(50) if await store.get(f"k{n}") is not None] == [45, 46, 47, 48, 49]


async def test_memory_store_evicts_the_least_recently_used() -> None:
    store = MemoryCacheStore(max_entries=3, max_bytes=1_000_000)
    for key in ("a", "b", "c"):
        await store.put(key, _entry(), 60)
    assert await store.get("a") is not None  # "a" is now the most recently used
    await store.put("d", _entry(), 60)
    assert await store.get("b") is None
    for key in ("a", "c", "d"):
        assert await store.get(key) is not None


@pytest.mark.parametrize(("max_entries", "max_bytes"), [(300, 75_299), (7, 10_000), (3, 1_000)])
async def test_memory_store_entry_bound_holds_for_any_byte_budget(
    max_entries: int, max_bytes: int
) -> None:
    store = MemoryCacheStore(max_entries=max_entries, max_bytes=max_bytes)
    for n in range(max_entries * 2):
        await store.put(f"k{n}", _entry(b"{}"), 60)
    assert store.size <= max_entries


async def test_memory_store_keeps_within_max_bytes() -> None:
    store = MemoryCacheStore(max_entries=100, max_bytes=10_000)
    big = b"x" * 2_000
    for n in range(10):
        await store.put(f"k{n}", _entry(big), 60)
    # Each weighs its content plus overhead, so 10,000 bytes hold four of them.
    assert store.size == 4
    assert store.evictions == 6
    assert sum(len(entry.content) for entry, _ in store._entries.values()) <= 10_000


async def test_an_entry_larger_than_the_whole_cache_is_not_stored() -> None:
    store = MemoryCacheStore(max_entries=10, max_bytes=5_000)
    await store.put("small", _entry(), 60)
    await store.put("huge", _entry(b"x" * 10_000), 60)
    assert await store.get("huge") is None
    assert await store.get("small") is not None
    assert (store.size, store.evictions) == (1, 0)


async def test_memory_store_gets_many_in_order() -> None:
    store = MemoryCacheStore()
    one, two = _entry(b"1"), _entry(b"2")
    await store.put("a", one, 60)
    await store.put("c", two, 60)
    assert await store.get_many(["c", "b", "a"]) == [two, None, one]
    assert await store.get_many([]) == []


async def test_memory_store_drops_expired_entries() -> None:
    store = MemoryCacheStore()
    kept = _entry(b"kept")
    await store.put("gone", _entry(), 0.01)
    await store.put("kept", kept, 60)
    await store.put("never", _entry(), 0)
    assert store.size == 2
    await asyncio.sleep(0.02)
    assert await store.get_many(["gone", "kept", "never"]) == [None, kept, None]
    assert store.size == 1  # read after its time, an entry is dropped
    assert await store.get("gone") is None


async def test_memory_store_tags_and_clear() -> None:
    store = MemoryCacheStore()
    await store.put("k1", _entry(), 60)
    await store.put("k2", _entry(), 60)
    await store.index(["r_1", "r_2"], "k1", 60)
    await store.index(["r_1"], "k2", 60)
    assert await store.tagged(["r_1"]) == {"k1", "k2"}
    assert await store.tagged(["r_1"]) == set()  # a tag is forgotten once read
    assert await store.tagged(["r_2", "r_3"]) == {"k1"}
    await store.delete(["k1", "missing"])
    assert await store.get("k1") is None
    await store.clear()
    assert store.size == 0


async def test_answers_stay_correct_after_evictions(router: respx.MockRouter) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        rid = request.url.path.rsplit("/", 1)[1]
        return httpx.Response(200, headers=PUBLIC_60, json=restaurant(rid))

    route = router.get(url__regex=rf"{MENU_URL}/v1/restaurants/r_\d+$").mock(side_effect=answer)
    store = MemoryCacheStore(max_entries=3, max_bytes=1_000_000)
    async with cached_service(store=store) as service:
        menu = MenuClient(service.transport)
        for _ in range(3):
            for n in range(8):
                assert (await menu.restaurant(f"r_{n}", ctx_of())).id == f"r_{n}"
                assert store.size <= 3
        sent = route.call_count
        # The three most recent are still cached; the others are fetched again.
        for n in (7, 6, 5):
            assert (await menu.restaurant(f"r_{n}", ctx_of())).id == f"r_{n}"
        assert route.call_count == sent
        assert (await menu.restaurant("r_0", ctx_of())).id == "r_0"
        assert route.call_count == sent + 1
    assert store.evictions > 0


# -- redis ---------------------------------------------------------------------------------


async def _absent(store: RedisCacheStore, key: str) -> bool:
    return await store.get(key) is None


async def _unlocked(store: RedisCacheStore, key: str) -> bool:
    return not await store.is_locked(key)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    connection = redis.asyncio.Redis.from_url(redis_url)
    yield connection
    await connection.aclose()


@pytest.fixture
def store(client: redis.asyncio.Redis) -> RedisCacheStore:
    return RedisCacheStore(client, f"test-{secrets.token_hex(4)}")


async def test_redis_put_get_delete(store: RedisCacheStore) -> None:
    entry = _entry()
    await store.put("p|/v1/restaurants/r_1", entry, 60)
    got = await store.get("p|/v1/restaurants/r_1")
    assert got == entry
    assert got is not None and got.decoded is None
    assert await store.get("p|/v1/restaurants/r_2") is None
    await store.delete(["p|/v1/restaurants/r_1", "p|/v1/restaurants/r_2"])
    assert await store.get("p|/v1/restaurants/r_1") is None
    await store.delete([])


async def test_redis_gets_many_in_one_round_trip(
    store: RedisCacheStore, client: redis.asyncio.Redis
) -> None:
    one, two = _entry(b"1"), _entry(b"2")
    await store.put("a", one, 60)
    await store.put("c", two, 60)
    before = (await client.info("stats"))["total_commands_processed"]
    assert await store.get_many(["c", "b", "a"]) == [two, None, one]
    # One MGET (the INFO that reads the counter counts itself too).
    assert (await client.info("stats"))["total_commands_processed"] - before == 2
    assert await store.get_many([]) == []


async def test_redis_entry_round_trips_every_field(store: RedisCacheStore) -> None:
    entry = StoredResponse(
        orjson.dumps(restaurant("r_1", name="Café ñ")), None, 1_800_000_123.25, 2.0, Scope.PRIVATE
    )
    await store.put("u:u_1|/x", entry, 60)
    got = await store.get("u:u_1|/x")
    assert got is not None
    assert (got.content, got.etag, got.stored_at, got.max_age_s, got.scope) == (
        entry.content,
        None,
        1_800_000_123.25,
        2.0,
        Scope.PRIVATE,
    )


async def test_redis_entries_expire(store: RedisCacheStore, client: redis.asyncio.Redis) -> None:
    await store.put("short", _entry(), 0.2)
    await store.put("long", _entry(), 60)
    assert await store.get("short") is not None
    # Poll the store itself (not a sleep of a guessed length) until redis has dropped it.
    await poll_async(lambda: _absent(store, "short"))
    assert await store.get("long") is not None


async def test_redis_tags_index_keys_once(store: RedisCacheStore) -> None:
    await store.index(["GET /v1/restaurants:r_1", "nearby"], "k1", 60)
    await store.index(["GET /v1/restaurants:r_1"], "k2", 60)
    assert await store.tagged(["GET /v1/restaurants:r_1"]) == {"k1", "k2"}
    assert await store.tagged(["GET /v1/restaurants:r_1"]) == set()
    assert await store.tagged(["nearby", "unknown"]) == {"k1"}


async def test_redis_fill_lock(store: RedisCacheStore) -> None:
    assert not await store.is_locked("p|/a")
    assert await store.try_lock("p|/a", 5)
    assert await store.is_locked("p|/a")
    assert not await store.try_lock("p|/a", 5)  # another replica is filling it
    assert await store.try_lock("p|/b", 5)
    await store.unlock("p|/a")
    assert not await store.is_locked("p|/a")
    assert await store.try_lock("p|/a", 5)


async def test_redis_fill_lock_expires(store: RedisCacheStore) -> None:
    assert await store.try_lock("p|/a", 0.2)
    await poll_async(lambda: _unlocked(store, "p|/a"))
    assert await store.try_lock("p|/a", 5)


async def test_redis_clear_touches_its_own_prefix_only(
    store: RedisCacheStore, client: redis.asyncio.Redis
) -> None:
    neighbour = RedisCacheStore(client, f"other-{secrets.token_hex(4)}")
    await store.put("k", _entry(), 60)
    await store.index(["t"], "k", 60)
    assert await store.try_lock("l", 5)
    await neighbour.put("k", _entry(), 60)

    await store.clear()

    assert await store.get("k") is None
    assert await store.tagged(["t"]) == set()
    assert not await store.is_locked("l")
    assert await neighbour.get("k") is not None


async def test_replicas_share_entries(
    router: respx.MockRouter, client: redis.asyncio.Redis
) -> None:
    route = router.get(f"{MENU_URL}/v1/restaurants/r_1").respond(
        200, headers={**PUBLIC_60, "ETag": '"v1"'}, json=restaurant("r_1")
    )
    prefix = f"bff-{secrets.token_hex(4)}"
    async with (
        cached_service(store=RedisCacheStore(client, prefix)) as one,
        cached_service(store=RedisCacheStore(client, prefix), clock=one.clock) as two,
    ):
        fetched = await MenuClient(one.transport).restaurant("r_1", ctx_of("u_1"))
        shared = await two.transport.get("/v1/restaurants/r_1", ctx_of("u_2"))
        assert route.call_count == 1
        assert shared.from_cache
        assert orjson.loads(shared.content)["id"] == fetched.id

        # Invalidation by one replica is seen by the other.
        await one.cache.invalidate(["GET /v1/restaurants:r_1"])
        await MenuClient(two.transport).restaurant("r_1", ctx_of("u_3"))
        assert route.call_count == 2


@pytest.mark.parametrize("fill_stored", [True, False], ids=["filled", "fill-ended-empty"])
async def test_a_replica_waits_for_another_replicas_fill(
    router: respx.MockRouter, client: redis.asyncio.Redis, fill_stored: bool
) -> None:
    route = router.get(f"{MENU_URL}/v1/restaurants/r_1").respond(
        200, headers=PUBLIC_60, json=restaurant("r_1", name="Fetched here")
    )
    prefix = f"bff-{secrets.token_hex(4)}"
    other = RedisCacheStore(client, prefix)
    key = "p|/v1/restaurants/r_1"
    async with cached_service(store=RedisCacheStore(client, prefix)) as service:
        assert await other.try_lock(key, 5)  # the other replica is fetching it
        waiting = asyncio.create_task(service.transport.get("/v1/restaurants/r_1", ctx_of()))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        if fill_stored:
            content = orjson.dumps(restaurant("r_1", name="Fetched there"))
            await other.put(
                key, StoredResponse(content, None, service.clock(), 60, Scope.PUBLIC), 60
            )
        await other.unlock(key)
        answer = await asyncio.wait_for(waiting, 5)

    if fill_stored:
        assert route.call_count == 0
        assert orjson.loads(answer.content)["name"] == "Fetched there"
    else:
        # The other fill ended without an answer to share: this replica asks itself.
        assert route.call_count == 1
        assert orjson.loads(answer.content)["name"] == "Fetched here"
