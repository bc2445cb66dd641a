"""End-to-end fixtures: the mocks and a BFF, each under real uvicorn, talking real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bff.app import create_app
from bff.settings import Settings
from clients import Downstream
from clients._breaker import CircuitBreaker
from mocks.runner import SERVICES, MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient
from tests.support.served import ServedApp


@pytest.fixture(scope="session")
def mocks() -> Iterator[MockServers]:
    with MockServers(ping_interval=0.2) as servers:
        yield servers


@pytest.fixture(scope="session")
def bff(mocks: MockServers) -> Iterator[ServedApp]:
    # Without the cache: every operation shows its cold cost, the minimum of downstream calls.
    settings = Settings(
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        cache_enabled=False,
    )
    with ServedApp(create_app(settings)) as served:
        yield served


@pytest.fixture
def admin(mocks: MockServers, request: pytest.FixtureRequest) -> Iterator[MockAdmin]:
    admin = MockAdmin(mocks.urls)
    admin.reset()
    yield admin
    admin.reset()
    if "bff" in request.fixturenames:
        # The faults a test injected must not leave the shared BFF's breakers open (or close
        # to opening) for the next test: each test starts with the services' breakers closed.
        downstream: Downstream = request.getfixturevalue("bff").app.state.downstream
        for service in SERVICES:
            transport = downstream.transport(service)
            if transport.breaker is not None:
                transport.breaker = CircuitBreaker(transport.breaker.config)


@pytest.fixture
def mobile(bff: ServedApp) -> GraphQLClient:
    return GraphQLClient(bff.url, "mobile")


@pytest.fixture
def web(bff: ServedApp) -> GraphQLClient:
    return GraphQLClient(bff.url, "web")
