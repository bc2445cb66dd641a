"""A list of orders is built while its last level (the couriers) is in flight, end to end."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from functools import cached_property
from typing import Any

import httpx
import pytest

from bff.app import create_app
from bff.settings import Settings
from mocks.runner import MockServers
from schema.loaders import Loaders
from schema.mobile.types import Order
from schema.web.types import Order as WebOrder
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient
from tests.support.served import ServedApp

# Only a bound for a failing run: a passing one never waits for it.
HOLD_BOUND_S = 0.5  # well within the couriers' read timeout
PAGE = 20


class CouriersHeld(httpx.AsyncBaseTransport):
    """Forwards to the mocks, but holds the couriers' answer until ``PAGE`` orders are built
    (or the bound passes), and notes how many were built by then."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.built = 0
        self.built_before_couriers: list[int] = []
        self._page_built: asyncio.Event | None = None

    def note_built(self) -> None:
        self.built += 1
        if self.built >= PAGE and self._page_built is not None:
            self._page_built.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path == "/v1/couriers":
            self._page_built = asyncio.Event()
            if self.built < PAGE:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._page_built.wait(), HOLD_BOUND_S)
            self.built_before_couriers.append(self.built)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def cold_settings(mocks: MockServers) -> Settings:
    """A BFF over the mocks without the cache: every relation is a call."""
    return Settings(
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        cache_enabled=False,
    )


@pytest.fixture
def held(mocks: MockServers, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CouriersHeld, str]]:
    transport = CouriersHeld()
    for order_type in (Order, WebOrder):
        build = order_type.from_model

        def counted(*args: Any, build: Any = build) -> Any:
            transport.note_built()
            return build(*args)

        monkeypatch.setattr(order_type, "from_model", counted)
    settings = cold_settings(mocks)
    with ServedApp(create_app(settings, http_transport=transport)) as served:
        yield transport, served.url


@pytest.mark.parametrize(
    ("client", "name", "orders_at"),
    [
        ("mobile", "MyOrders", ("me", "orders", "edges")),
        ("web", "OrderHistory", ("me", "orders", "edges")),
    ],
)
def test_the_page_is_built_before_the_couriers_answer(
    held: tuple[CouriersHeld, str], client: str, name: str, orders_at: tuple[str, ...]
) -> None:
    transport, url = held
    result = GraphQLClient(url, client).operation(name, {"first": PAGE}, user="u_1")

    assert result.errors == []
    assert transport.built_before_couriers == [PAGE]
    page: Any = result.data
    for key in orders_at:
        page = page[key]
    couriers = [e["node"]["delivery"]["courier"] for e in page if e["node"]["delivery"]]
    # The couriers held back still arrive, each in its place.
    assert couriers and all(c is None or c["name"] for c in couriers)
    assert any(c is not None for c in couriers)


def test_couriers_failing_after_the_page_was_built_fail_only_their_fields(
    bff: ServedApp, admin: MockAdmin
) -> None:
    # The couriers answer late and with a failure: the page was built meanwhile, so each
    # courier field fails on its own, at its own path, and everything else is there.
    admin.fault("courier", latency_ms=50, outage=True, match="GET /v1/couriers")
    result = GraphQLClient(bff.url, "mobile").operation("MyOrders", {"first": PAGE}, user="u_1")

    edges = result.data["me"]["orders"]["edges"]
    assert len(edges) == PAGE
    failed = 0
    for index, edge in enumerate(edges):
        node = edge["node"]
        assert node["restaurant"]["name"] and node["total"]["formatted"]
        if node["delivery"] is None:
            continue
        assert node["delivery"]["status"]
        errors = result.errors_at("me", "orders", "edges", index, "node", "delivery", "courier")
        if errors:
            assert node["delivery"]["courier"] is None
            assert [e["extensions"]["code"] for e in errors] == ["DOWNSTREAM_UNAVAILABLE"]
            failed += 1
    assert failed > 0
    assert set(result.codes()) == {"DOWNSTREAM_UNAVAILABLE"}
    assert len(result.errors) == failed


class CallsNoted(httpx.AsyncBaseTransport):
    """Forwards to the mocks, noting each call's path as it goes out (but the event streams
    the BFF follows on its own)."""

    def __init__(self, events: list[str]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.events = events

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/events":
            self.events.append(f"call {request.url.path}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def noting_first_use(events: list[str], name: str) -> cached_property[Any]:
    """``Loaders.<name>``, noting when a request first loads through it."""
    make = getattr(Loaders, name).func

    def made(loaders: Loaders) -> Any:
        events.append(f"loads {name}")
        return make(loaders)

    noted: cached_property[Any] = cached_property(made)
    noted.__set_name__(Loaders, name)
    return noted


@pytest.mark.parametrize(("client", "name"), [("mobile", "MyOrders"), ("web", "OrderHistory")])
def test_the_deliveries_call_goes_out_before_the_other_relations_are_loaded(
    mocks: MockServers, monkeypatch: pytest.MonkeyPatch, client: str, name: str
) -> None:
    # The deliveries lead to the couriers, the last level: nothing that is not on that chain
    # may run between the orders' answer and the deliveries' call.
    events: list[str] = []
    for relation in ("restaurant", "menu_item"):
        monkeypatch.setattr(Loaders, relation, noting_first_use(events, relation))
    settings = cold_settings(mocks)
    with ServedApp(create_app(settings, http_transport=CallsNoted(events))) as served:
        result = GraphQLClient(served.url, client).operation(name, {"first": PAGE}, user="u_1")

    assert result.errors == []
    assert events[:2] == ["call /v1/orders", "call /v1/deliveries"]
    assert set(events[2:4]) == {"loads restaurant", "loads menu_item"}
    assert sorted(events[4:]) == [
        "call /v1/couriers",
        "call /v1/menu-items",
        "call /v1/restaurants",
    ]
