"""End-to-end fixtures: the mocks and a BFF, each under real uvicorn, talking real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bff.app import create_app
from bff.settings import Settings
from mocks.runner import MockServers
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
def admin(mocks: MockServers) -> Iterator[MockAdmin]:
    admin = MockAdmin(mocks.urls)
    admin.reset()
    yield admin
    admin.reset()


@pytest.fixture
def mobile(bff: ServedApp) -> GraphQLClient:
    return GraphQLClient(bff.url, "mobile")


@pytest.fixture
def web(bff: ServedApp) -> GraphQLClient:
    return GraphQLClient(bff.url, "web")
