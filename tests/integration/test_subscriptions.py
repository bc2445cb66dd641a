"""Live tracking over WebSocket and SSE, fed by the downstream event streams."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from bff.app import create_app
from bff.settings import Settings
from mocks.runner import MockServers
from tests.support import subscriptions
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient
from tests.support.served import BffProcess, ServedApp

FLOW = ["PLACED", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED"]
ADDRESS = {
    "line1": "Rua Augusta 1",
    "city": "Lisbon",
    "postcode": "1100-048",
    "location": {"lat": 38.7097, "lng": -9.1365},
}
Subscriber = Callable[..., AsyncIterator[dict[str, Any]]]


@pytest.fixture(scope="module")
def tracking_mocks() -> Iterator[MockServers]:
    """Mocks of this module's own, so that advancing orders disturbs no other test."""
    with MockServers(ping_interval=0.2) as mocks:
        yield mocks


@pytest.fixture(scope="module")
def tracking_bff(tracking_mocks: MockServers) -> Iterator[ServedApp]:
    settings = Settings(
        menu_url=tracking_mocks.urls["menu"],
        order_url=tracking_mocks.urls["order"],
        courier_url=tracking_mocks.urls["courier"],
    )
    with ServedApp(create_app(settings)) as served:
        yield served


@pytest.fixture
def tracking_admin(tracking_mocks: MockServers) -> MockAdmin:
    admin = MockAdmin(tracking_mocks.urls)
    admin.reset()
    return admin


_checkouts = iter(range(1, 10_000))


def place_order(bff: ServedApp | BffProcess, user: str = "u_5") -> str:
    client = GraphQLClient(bff.url, "mobile")
    variables = {
        "input": {
            "restaurantId": "r_1",
            "idempotencyKey": f"tracking-{next(_checkouts):05d}",
            "items": [{"menuItemId": "m_1", "quantity": 1}],
            "deliveryAddress": ADDRESS,
        }
    }
    result = client.operation("PlaceOrder", variables, user=user)
    assert result.errors == [], result.errors
    order_id: str = result.data["placeOrder"]["order"]["id"]
    return order_id


async def advance(admin: MockAdmin, order_id: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{admin.urls['order']}/__admin/orders/{order_id}/advance")
        response.raise_for_status()


async def collect_statuses(
    stream: AsyncIterator[dict[str, Any]],
    admin: MockAdmin,
    order_id: str,
    *,
    between_steps: Callable[[int], Any] | None = None,
) -> list[dict[str, Any]]:
    """Advance the order each time the subscriber has seen its current status."""
    updates: list[dict[str, Any]] = []
    steps = 0
    async for payload in stream:
        assert "errors" not in payload, payload
        update = payload["data"]["orderUpdates"]
        updates.append(update)
        if update["status"] == FLOW[steps] and steps < len(FLOW) - 1:
            steps += 1
            if between_steps is not None:
                await between_steps(steps)
            await advance(admin, order_id)
    return updates


def distinct_statuses(updates: list[dict[str, Any]]) -> list[str]:
    statuses: list[str] = []
    for update in updates:
        if not statuses or statuses[-1] != update["status"]:
            statuses.append(update["status"])
    return statuses


@pytest.mark.parametrize(
    "subscribe",
    [subscriptions.transport_ws, subscriptions.legacy_ws, subscriptions.sse],
    ids=["graphql-transport-ws", "graphql-ws", "graphql-sse"],
)
async def test_an_order_moves_through_every_status(
    tracking_bff: ServedApp, tracking_admin: MockAdmin, subscribe: Subscriber
) -> None:
    order_id = place_order(tracking_bff)
    stream = subscribe(tracking_bff.url, "mobile", {"id": order_id}, user="u_5")
    updates = await asyncio.wait_for(collect_statuses(stream, tracking_admin, order_id), 30)

    assert updates[0] == {"orderId": order_id, "status": "PLACED", "delivery": None}
    assert distinct_statuses(updates) == FLOW
    assert updates[-1]["status"] == "DELIVERED"  # and then the subscription completed
    with_delivery = [u for u in updates if u["delivery"] is not None]
    assert with_delivery, "the courier service's delivery updates reach the subscriber"
    assert with_delivery[-1]["delivery"]["status"] == "DELIVERED"


async def test_a_dropped_event_stream_loses_no_update(
    tracking_bff: ServedApp, tracking_admin: MockAdmin
) -> None:
    order_id = place_order(tracking_bff)

    async def drop_streams(step: int) -> None:
        if step in (2, 4):
            async with httpx.AsyncClient() as http:
                for service in ("order", "courier"):
                    url = tracking_admin.urls[service]
                    (await http.post(f"{url}/__admin/events/disconnect")).raise_for_status()

    stream = subscriptions.transport_ws(tracking_bff.url, "web", {"id": order_id}, user="u_5")
    updates = await asyncio.wait_for(
        collect_statuses(stream, tracking_admin, order_id, between_steps=drop_streams), 30
    )
    assert distinct_statuses(updates) == FLOW


async def test_a_final_order_completes_after_its_first_update(
    tracking_bff: ServedApp, tracking_admin: MockAdmin
) -> None:
    order_id = place_order(tracking_bff)
    GraphQLClient(tracking_bff.url, "mobile").operation("CancelOrder", {"id": order_id}, user="u_5")
    stream = subscriptions.transport_ws(tracking_bff.url, "mobile", {"id": order_id}, user="u_5")
    updates = [p async for p in stream]
    assert [u["data"]["orderUpdates"]["status"] for u in updates] == ["CANCELLED"]


@pytest.mark.parametrize(
    ("user", "code"), [(None, "UNAUTHENTICATED"), ("u_6", "FORBIDDEN")], ids=["anonymous", "other"]
)
@pytest.mark.parametrize(
    "subscribe",
    [subscriptions.transport_ws, subscriptions.sse],
    ids=["graphql-transport-ws", "graphql-sse"],
)
async def test_only_the_orders_customer_may_subscribe(
    tracking_bff: ServedApp, subscribe: Subscriber, user: str | None, code: str
) -> None:
    order_id = place_order(tracking_bff)
    payloads = [p async for p in subscribe(tracking_bff.url, "mobile", {"id": order_id}, user=user)]
    errors = [e for p in payloads for e in p.get("errors", [])]
    assert [e["extensions"]["code"] for e in errors] == [code]
    assert all(p.get("data") in (None, {"orderUpdates": None}) for p in payloads)


async def test_two_bff_processes_each_serve_subscribers(
    tracking_mocks: MockServers, tracking_admin: MockAdmin
) -> None:
    env = {f"BFF_{service.upper()}_URL": url for service, url in tracking_mocks.urls.items()}
    with BffProcess(env) as first, BffProcess(env) as second:
        order_id = place_order(first)
        on_second = subscriptions.transport_ws(second.url, "mobile", {"id": order_id}, user="u_5")
        seen_on_first: list[dict[str, Any]] = []

        async def watch_first() -> None:
            stream = subscriptions.transport_ws(first.url, "web", {"id": order_id}, user="u_5")
            async for payload in stream:
                seen_on_first.append(payload["data"]["orderUpdates"])

        watcher = asyncio.create_task(watch_first())
        for _ in range(500):  # the first replica's subscriber must be in place before changes
            if seen_on_first or watcher.done():
                break
            await asyncio.sleep(0.01)
        updates = await asyncio.wait_for(collect_statuses(on_second, tracking_admin, order_id), 30)
        await asyncio.wait_for(watcher, 10)
    assert distinct_statuses(updates) == FLOW
    assert distinct_statuses(seen_on_first) == FLOW
