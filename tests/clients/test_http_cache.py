"""The HTTP cache in the transport: public answers shared, private ones per user, no-store never;
expired answers revalidated with their ETag, and served stale while the service fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest
import respx

from clients import CacheOutcome, CallTrace, DownstreamUnavailable
from clients._cache_control import Freshness, Scope
from clients._cache_store import MemoryCacheStore
from clients._http_cache import HttpCache
from tests.clients.caching import (
    NO_STORE,
    PRIVATE_2,
    PUBLIC_60,
    CachedService,
    answering,
    cached_service,
    ctx_of,
)
from tests.clients.payloads import MENU_URL, restaurant

PATH = "/v1/restaurants/r_1"
URL = f"{MENU_URL}{PATH}"
ROUTE = "GET /v1/restaurants/{id}"


@pytest.fixture
async def service(router: respx.MockRouter) -> AsyncIterator[CachedService]:
    async with cached_service() as cached:
        yield cached


def _answer(
    headers: dict[str, str], *, name: str = "Golden", etag: str | None = None
) -> httpx.Response:
    if etag is not None:
        headers = {**headers, "ETag": etag}
    return httpx.Response(200, headers=headers, json=restaurant("r_1", name=name))


def _name(content: bytes) -> str:
    value = orjson.loads(content)["name"]
    assert isinstance(value, str)
    return value


async def test_public_answer_is_served_to_every_caller(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(return_value=_answer(PUBLIC_60, etag='"v1"'))

    first = await service.get(PATH, ctx_of("u_1"), route=ROUTE)
    others = [await service.get(PATH, ctx_of(user), route=ROUTE) for user in ("u_2", None, "u_1")]

    assert route.call_count == 1
    assert not first.from_cache
    assert all(o.from_cache and o.content == first.content for o in others)
    assert service.cache.stats.hits == 3
    assert service.cache.is_public(ROUTE)


async def test_private_answer_is_served_again_to_its_user_only(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(
        side_effect=lambda request: _answer(PRIVATE_2, name=request.headers["X-User-Id"])
    )

    mine = await service.get(PATH, ctx_of("u_1"), route=ROUTE)
    mine_again = await service.get(PATH, ctx_of("u_1"), route=ROUTE)
    assert route.call_count == 1
    assert mine_again.from_cache and _name(mine_again.content) == "u_1"

    theirs = await service.get(PATH, ctx_of("u_2"), route=ROUTE)
    assert route.call_count == 2
    assert route.calls.last.request.headers["X-User-Id"] == "u_2"
    assert not theirs.from_cache and _name(theirs.content) == "u_2"
    assert _name(mine.content) == "u_1"
    assert not service.cache.is_public(ROUTE)


async def test_private_answer_without_a_user_is_not_kept(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(return_value=_answer(PRIVATE_2))
    for _ in range(3):
        assert not (await service.get(PATH, ctx_of(None), route=ROUTE)).from_cache
    assert route.call_count == 3


@pytest.mark.parametrize(
    "headers",
    [
        NO_STORE,
        {"Cache-Control": "public, max-age=60, no-store"},
        {"Cache-Control": "no-cache"},
        {},
    ],
    ids=["private-no-store", "public-no-store", "no-cache", "none"],
)
async def test_unstorable_answer_is_never_served_from_cache(
    router: respx.MockRouter, service: CachedService, headers: dict[str, str]
) -> None:
    route = router.get(URL).mock(return_value=_answer(headers, etag='"v1"'))
    for user in ("u_1", "u_1", None, "u_2"):
        response = await service.get(PATH, ctx_of(user), route=ROUTE)
        assert not response.from_cache
    assert route.call_count == 4
    # Nothing was stored, so nothing is ever revalidated either.
    assert all("If-None-Match" not in call.request.headers for call in route.calls)
    assert service.cache.stats.stored == 0


async def test_expired_answer_is_revalidated_and_a_304_refreshes_it(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(
        side_effect=[_answer(PUBLIC_60, etag='"v1"'), httpx.Response(304, headers=PUBLIC_60)]
    )
    trace = CallTrace()
    first = await service.get(PATH, ctx_of("u_1"), route=ROUTE)

    service.clock.advance(61)
    revalidated = await service.get(PATH, ctx_of("u_2", trace=trace), route=ROUTE)

    assert route.call_count == 2
    assert "If-None-Match" not in route.calls[0].request.headers
    assert route.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert revalidated.content == first.content  # the 304 had no body
    assert revalidated.from_cache and revalidated.status == 200
    assert [c.cache for c in trace.calls] == [CacheOutcome.REVALIDATED]
    assert trace.calls[0].status == 304
    assert service.cache.stats.revalidations == 1

    # Fresh again for a whole max-age from the 304.
    service.clock.advance(59)
    again = await service.get(PATH, ctx_of("u_3"), route=ROUTE)
    assert route.call_count == 2
    assert again.content == first.content


async def test_a_200_on_revalidation_replaces_the_entry(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(
        side_effect=[
            _answer(PUBLIC_60, name="Old", etag='"v1"'),
            _answer(PUBLIC_60, name="New", etag='"v2"'),
            httpx.Response(304),
        ]
    )
    await service.get(PATH, ctx_of(), route=ROUTE)
    service.clock.advance(61)

    replaced = await service.get(PATH, ctx_of(), route=ROUTE)
    assert route.calls[1].request.headers["If-None-Match"] == '"v1"'
    assert _name(replaced.content) == "New" and not replaced.from_cache

    service.clock.advance(30)
    cached = await service.get(PATH, ctx_of(), route=ROUTE)
    assert route.call_count == 2
    assert _name(cached.content) == "New" and cached.from_cache

    service.clock.advance(31)
    revalidated = await service.get(PATH, ctx_of(), route=ROUTE)
    assert route.calls[2].request.headers["If-None-Match"] == '"v2"'
    assert _name(revalidated.content) == "New"


async def test_expired_answer_without_etag_is_fetched_again(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(
        side_effect=[_answer(PUBLIC_60, name="Old"), _answer(PUBLIC_60, name="New")]
    )
    await service.get(PATH, ctx_of(), route=ROUTE)
    service.clock.advance(60)  # max-age is exclusive: at 60 s old the answer is expired
    fetched = await service.get(PATH, ctx_of(), route=ROUTE)
    assert route.call_count == 2
    assert "If-None-Match" not in route.calls[1].request.headers
    assert _name(fetched.content) == "New"


FAILURES = {
    "503": httpx.Response(503, headers={"Retry-After": "0"}),
    "502-html": httpx.Response(502, text="<html>bad gateway</html>"),
    "timeout": httpx.ReadTimeout("slow"),
    "dropped": httpx.RemoteProtocolError("peer closed connection"),
    "refused": httpx.ConnectError("refused"),
}


@pytest.mark.parametrize("failure", FAILURES.values(), ids=list(FAILURES))
async def test_expired_answer_is_served_stale_while_the_service_fails(
    router: respx.MockRouter, service: CachedService, failure: httpx.Response | Exception
) -> None:
    route = router.get(URL).mock(return_value=_answer(PUBLIC_60, etag='"v1"'))
    stored = await service.get(PATH, ctx_of(), route=ROUTE)
    route.mock(return_value=None, side_effect=answering(failure))

    service.clock.advance(60 + 200)
    trace = CallTrace()
    stale = await service.get(PATH, ctx_of("u_1", trace=trace), route=ROUTE)

    assert stale.content == stored.content
    assert stale.stale_age_s == pytest.approx(260)
    assert route.call_count > 1  # the service was asked (and retried) before going stale
    outcomes = [c.cache for c in trace.calls]
    assert outcomes == [CacheOutcome.REVALIDATED, CacheOutcome.STALE]
    failed, served = trace.calls
    assert failed.error is not None
    assert served.stale_age_s == pytest.approx(260)
    assert trace.stale_age_s == pytest.approx(260)
    assert service.cache.stats.stale_served == 1


@pytest.mark.parametrize("failure", FAILURES.values(), ids=list(FAILURES))
async def test_beyond_the_stale_window_the_error_is_raised(
    router: respx.MockRouter, service: CachedService, failure: httpx.Response | Exception
) -> None:
    route = router.get(URL).mock(return_value=_answer(PUBLIC_60, etag='"v1"'))
    await service.get(PATH, ctx_of(), route=ROUTE)
    route.mock(return_value=None, side_effect=answering(failure))

    service.clock.advance(60 + service.cache.stale_if_error_s + 1)
    trace = CallTrace()
    with pytest.raises(DownstreamUnavailable):
        await service.get(PATH, ctx_of(trace=trace), route=ROUTE)
    assert CacheOutcome.STALE not in [c.cache for c in trace.calls]
    assert service.cache.stats.stale_served == 0


async def test_private_stale_answer_is_served_to_its_user_only(
    router: respx.MockRouter, service: CachedService
) -> None:
    route = router.get(URL).mock(return_value=_answer(PRIVATE_2))
    await service.get(PATH, ctx_of("u_1"), route=ROUTE)
    route.mock(return_value=httpx.Response(500))
    service.clock.advance(10)

    assert (await service.get(PATH, ctx_of("u_1"), route=ROUTE)).stale_age_s == pytest.approx(10)
    with pytest.raises(DownstreamUnavailable):
        await service.get(PATH, ctx_of("u_2"), route=ROUTE)


async def test_scope_is_learned_per_route(router: respx.MockRouter, service: CachedService) -> None:
    router.get(URL).mock(return_value=_answer(PUBLIC_60))
    router.get(f"{MENU_URL}/v1/orders/o_1").mock(return_value=_answer(NO_STORE))
    assert not service.cache.is_public(ROUTE)  # unknown routes are treated as private
    await service.get(PATH, ctx_of(), route=ROUTE)
    await service.get("/v1/orders/o_1", ctx_of(), route="GET /v1/orders/{id}")
    assert service.cache.is_public(ROUTE)
    assert not service.cache.is_public("GET /v1/orders/{id}")


async def test_lookup_many_finds_each_answer_in_its_users_scope() -> None:
    cache = HttpCache(MemoryCacheStore())
    public, private = Freshness(Scope.PUBLIC, 60), Freshness(Scope.PRIVATE, 60)
    await cache.put("GET /r", "/r/1", None, public, b"1", None)
    await cache.put("GET /d", "/d/1", "u_1", private, b"mine", None)
    bases = ["/r/1", "/d/1", "/r/2"]
    expected = {
        "u_1": [b"1", b"mine", None],
        "u_2": [b"1", None, None],
        None: [b"1", None, None],
    }
    for user, contents in expected.items():
        many = await cache.lookup_many(bases, user)
        assert [e.content if e else None for e in many] == contents
        # Knowing each route's scope, only its key is read: the answers stay the same.
        for route, base, content in (
            ("GET /r", "/r/1", contents[0]),
            ("GET /d", "/d/1", contents[1]),
        ):
            found = await cache.lookup(base, user, route)
            assert (found.content if found else None) == content
