"""Clients wired to respx-mocked downstream services; every unmatched request fails the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from clients import CourierClient, MenuClient, OrderClient, ServiceTransport, TransportConfig
from tests.clients.payloads import COURIER_URL, MENU_URL, ORDER_URL


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(using="httpx", assert_all_mocked=True, assert_all_called=False) as mocked:
        yield mocked


@pytest.fixture
async def menu(router: respx.MockRouter) -> AsyncIterator[MenuClient]:
    transport = ServiceTransport("menu", TransportConfig(MENU_URL))
    yield MenuClient(transport)
    await transport.aclose()


@pytest.fixture
async def orders(router: respx.MockRouter) -> AsyncIterator[OrderClient]:
    transport = ServiceTransport("order", TransportConfig(ORDER_URL))
    yield OrderClient(transport)
    await transport.aclose()


@pytest.fixture
async def couriers(router: respx.MockRouter) -> AsyncIterator[CourierClient]:
    transport = ServiceTransport("courier", TransportConfig(COURIER_URL))
    yield CourierClient(transport)
    await transport.aclose()
