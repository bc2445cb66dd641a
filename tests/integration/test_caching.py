"""The HTTP cache end to end: shared public answers, revalidation, invalidation by events,
stale-if-error, per-user private data, and replicas sharing a real Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bff.app import create_app
from bff.settings import Settings
from clients import Downstream
from clients._http_cache import HttpCache
from mocks.runner import MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient, operation_document, token_for
from tests.support.redis_server import redis_server
from tests.support.served import BffProcess, ServedApp

MENU_CALLS = ("menu GET /v1/restaurants", "menu GET /v1/restaurants/{id}/menu")


@pytest.fixture(scope="module")
def cache_mocks() -> Iterator[MockServers]:
    with MockServers(ping_interval=0.2) as mocks:
        yield mocks


def settings_for(mocks: MockServers, **overrides: Any) -> Settings:
    return Settings(
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        **overrides,
    )


@pytest.fixture
def cached_bff(cache_mocks: MockServers) -> Iterator[tuple[ServedApp, FastAPI]]:
    """A BFF with the in-process cache, fresh for each test."""
    app = create_app(settings_for(cache_mocks))
    with ServedApp(app) as served:
        yield served, app


@pytest.fixture
def cache_admin(cache_mocks: MockServers) -> Iterator[MockAdmin]:
    admin = MockAdmin(cache_mocks.urls)
    admin.reset()
    yield admin
    admin.reset()


def cache_of(app: FastAPI, service: str) -> HttpCache:
    downstream: Downstream = app.state.downstream
    cache = downstream.transport(service).cache
    assert cache is not None
    return cache


def let_time_pass(app: FastAPI, seconds: float) -> None:
    def shifted() -> float:
        return time.time() + seconds

    for service in ("menu", "order", "courier"):
        cache_of(app, service).clock = shifted


async def wave(
    url: str, client: str, name: str, variables: dict[str, Any], n: int, **kw: Any
) -> list[Any]:
    document = operation_document(client, name)
    headers = {"Authorization": f"Bearer {token_for(kw['user'])}"} if kw.get("user") else {}
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    f"/{client}/graphql",
                    json={"query": document, "variables": variables},
                    headers=headers,
                )
                for _ in range(n)
            )
        )
    return [r.json() for r in responses]


def menu_calls(admin: MockAdmin) -> dict[str, int]:
    calls = admin.calls()
    return {name: calls.get(name, 0) for name in MENU_CALLS}


async def test_200_concurrent_menus_cost_one_call_per_resource_then_one_revalidation(
    cached_bff: tuple[ServedApp, FastAPI], cache_admin: MockAdmin
) -> None:
    served, app = cached_bff
    first = await wave(served.url, "mobile", "RestaurantMenu", {"id": "r_1"}, 200)

    assert all(body.get("errors") is None for body in first)
    assert {body["data"]["restaurant"]["name"] for body in first} == {"Golden Dumpling"}
    # The restaurant and its menu: one call each, shared by all 200 requests.
    assert menu_calls(cache_admin) == dict.fromkeys(MENU_CALLS, 1), cache_of(app, "menu").stats

    cache_admin.reset()
    let_time_pass(app, 61)  # past max-age=60
    second = await wave(served.url, "mobile", "RestaurantMenu", {"id": "r_1"}, 200)

    assert all(body.get("errors") is None for body in second)
    assert menu_calls(cache_admin) == dict.fromkeys(MENU_CALLS, 1)
    assert cache_of(app, "menu").stats.revalidations == 2  # both answered 304


async def test_a_price_change_shows_in_the_next_query(
    cached_bff: tuple[ServedApp, FastAPI], cache_admin: MockAdmin
) -> None:
    served, app = cached_bff
    client = GraphQLClient(served.url, "mobile")
    menu = client.operation("RestaurantMenu", {"id": "r_2"}).data["restaurant"]["menu"]
    item = menu[0]["items"][0]
    new_amount = item["price"]["amount"] + 111
    invalidations = cache_of(app, "menu").stats.invalidations

    cache_admin.http.post(
        f"{cache_admin.urls['menu']}/__admin/menu-items/{item['id']}/price",
        json={"amount": new_amount},
    ).raise_for_status()
    for _ in range(200):  # the event reaches the BFF's consumer within moments
        if cache_of(app, "menu").stats.invalidations > invalidations:
            break
        await asyncio.sleep(0.01)

    menu = client.operation("RestaurantMenu", {"id": "r_2"}).data["restaurant"]["menu"]
    prices = {i["id"]: i["price"]["amount"] for s in menu for i in s["items"]}
    assert prices[item["id"]] == new_amount


async def test_stale_menu_is_served_when_the_menu_service_fails(
    cached_bff: tuple[ServedApp, FastAPI], cache_admin: MockAdmin
) -> None:
    served, app = cached_bff
    client = GraphQLClient(served.url, "web")
    fresh = client.operation("RestaurantPage", {"id": "r_3"})
    assert fresh.errors == [] and "extensions" not in fresh.body

    let_time_pass(app, 120)
    cache_admin.fault("menu", outage=True)
    stale = client.operation("RestaurantPage", {"id": "r_3"})

    assert stale.errors == []
    assert stale.data == fresh.data
    assert stale.body["extensions"]["stale"] is True
    assert stale.body["extensions"]["staleAgeSeconds"] >= 120

    let_time_pass(app, 60 + 301)  # beyond the 5-minute stale-if-error window
    too_old = client.operation("RestaurantPage", {"id": "r_3"})
    assert too_old.data == {"restaurant": None}
    assert too_old.codes() == ["DOWNSTREAM_UNAVAILABLE"]


def test_private_order_data_is_never_shared_across_users(
    cached_bff: tuple[ServedApp, FastAPI], cache_admin: MockAdmin
) -> None:
    served, _ = cached_bff
    client = GraphQLClient(served.url, "mobile")
    mine = client.operation("MyOrders", {"first": 5}, user="u_1").data["me"]["orders"]["edges"]
    theirs = client.operation("MyOrders", {"first": 5}, user="u_2").data["me"]["orders"]["edges"]
    mine_again = client.operation("MyOrders", {"first": 5}, user="u_1").data["me"]["orders"][
        "edges"
    ]

    assert {e["node"]["id"] for e in mine}.isdisjoint({e["node"]["id"] for e in theirs})
    assert mine_again == mine
    # no-store: every MyOrders asks the order service again.
    assert cache_admin.calls()["order GET /v1/orders"] == 3


async def test_two_processes_sharing_redis_make_one_call_between_them(
    cache_mocks: MockServers, cache_admin: MockAdmin
) -> None:
    with redis_server() as redis_url:
        env = {f"BFF_{s.upper()}_URL": url for s, url in cache_mocks.urls.items()}
        env["BFF_REDIS_URL"] = redis_url
        with BffProcess(env) as first, BffProcess(env) as second:
            cache_admin.reset()
            waves = await asyncio.gather(
                wave(first.url, "web", "RestaurantPage", {"id": "r_4"}, 50),
                wave(second.url, "mobile", "RestaurantMenu", {"id": "r_4"}, 50),
            )
    assert all(body.get("errors") is None for bodies in waves for body in bodies)
    assert menu_calls(cache_admin) == dict.fromkeys(MENU_CALLS, 1)
