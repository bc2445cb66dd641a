"""Resilience proven by fault injection: partial data, fail-fast breakers, retries within a
budget, deadlines, cancellation on disconnect and graceful shutdown."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bff.app import create_app
from bff.settings import ServiceSettings, Settings
from clients import Downstream
from mocks.runner import MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient, GraphQLResult
from tests.support.served import BffProcess, ServedApp


@pytest.fixture(scope="module")
def fault_mocks() -> Iterator[MockServers]:
    with MockServers(ping_interval=0.2) as mocks:
        yield mocks


@pytest.fixture
def fault_admin(fault_mocks: MockServers) -> Iterator[MockAdmin]:
    admin = MockAdmin(fault_mocks.urls)
    admin.reset()
    yield admin
    admin.reset()


def served_bff(mocks: MockServers, **overrides: Any) -> tuple[ServedApp, FastAPI]:
    settings = Settings(
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        cache_enabled=False,  # every request really asks the services
        **overrides,
    )
    app = create_app(settings)
    return ServedApp(app), app


def readiness(url: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{url}/readyz").json()
    return body


def courier_calls(admin: MockAdmin) -> int:
    return sum(n for name, n in admin.calls().items() if name.startswith("courier "))


def assert_orders_without_deliveries(result: GraphQLResult, count: int) -> None:
    edges = result.data["me"]["orders"]["edges"]
    assert len(edges) == count
    for edge in edges:
        node = edge["node"]
        assert node["restaurant"]["name"]
        assert all(item["menuItem"]["name"] for item in node["items"])
        assert node["delivery"] is None
    assert set(result.codes()) == {"DOWNSTREAM_UNAVAILABLE"}
    assert all(e["path"][-1] == "delivery" for e in result.errors)


def test_courier_down_breaker_opens_fails_fast_and_closes_after_recovery(
    fault_mocks: MockServers, fault_admin: MockAdmin
) -> None:
    courier = ServiceSettings(breaker_min_calls=4, breaker_open_s=0.3, retry_attempts=1)
    served, _ = served_bff(fault_mocks, courier=courier)
    with served:
        client = GraphQLClient(served.url, "mobile")
        fault_admin.fault("courier", outage=True)
        for _ in range(10):
            result = client.operation("MyOrders", {"first": 10}, user="u_1")
            assert_orders_without_deliveries(result, 10)
            if readiness(served.url)["services"]["courier"]["breaker"] == "open":
                break
        assert readiness(served.url)["services"]["courier"]["breaker"] == "open"

        fault_admin.reset()  # stats zeroed; the outage is over but the breaker is still open
        fault_admin.fault("courier", outage=True)
        result = client.operation("MyOrders", {"first": 10}, user="u_1")
        assert_orders_without_deliveries(result, 10)
        assert courier_calls(fault_admin) == 0  # failed fast: no call reached the service

        fault_admin.reset()
        recovered = None
        for _ in range(100):  # the breaker half-opens after open_s and closes on success
            result = client.operation("MyOrders", {"first": 10}, user="u_1")
            if result.errors == []:
                recovered = result
                break
            time.sleep(0.05)
        assert recovered is not None
        assert any(e["node"]["delivery"] for e in recovered.data["me"]["orders"]["edges"])
        assert readiness(served.url)["services"]["courier"]["breaker"] == "closed"
        assert readiness(served.url)["status"] == "ready"


def test_flaky_courier_is_smoothed_by_retries_within_the_budget(
    fault_mocks: MockServers, fault_admin: MockAdmin
) -> None:
    requests = 50
    courier = ServiceSettings(retry_budget_ratio=0.1, retry_budget_floor=10)
    served, app = served_bff(fault_mocks, courier=courier)
    with served:
        client = GraphQLClient(served.url, "mobile")
        fault_admin.fault("courier", error_rate=0.2, error_status=503)
        failed = sum(
            1
            for n in range(requests)
            if client.operation("MyOrders", {"first": 5}, user=f"u_{n % 10 + 1}").errors
        )
        downstream: Downstream = app.state.downstream
        budget = downstream.transport("courier").budget
    first_attempts = 2 * requests  # deliveries and couriers per MyOrders
    calls = courier_calls(fault_admin)
    retries = calls - first_attempts
    # Without retries about 36% of responses would carry an error (1 - 0.8²).
    assert failed / requests <= 0.06
    assert 0 < retries <= budget.floor + budget.ratio * calls


def test_slow_courier_yields_partial_data_within_the_deadline(
    fault_mocks: MockServers, fault_admin: MockAdmin
) -> None:
    served, _ = served_bff(fault_mocks, request_deadline_s=1.0)
    with served:
        fault_admin.fault("courier", latency_ms=5000)
        result = GraphQLClient(served.url, "mobile").operation("MyOrders", {"first": 5}, user="u_1")
    assert_orders_without_deliveries(result, 5)


def test_a_client_that_goes_away_cancels_its_downstream_calls(
    fault_mocks: MockServers, fault_admin: MockAdmin
) -> None:
    served, app = served_bff(fault_mocks, request_deadline_s=30.0)
    fault_admin.fault("menu", latency_ms=30_000)
    with served:
        menu = app.state.downstream.transport("menu")
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(
                f"{served.url}/mobile/graphql",
                json={"query": '{ restaurant(id: "r_1") { name } }'},
                timeout=0.5,
            )
        # The menu call was in flight when the client left; it is cancelled long before the
        # service would have answered (30 s), which frees its bulkhead slot.
        for _ in range(200):
            if menu.bulkhead.in_use == 0:
                break
            time.sleep(0.05)
        assert menu.bulkhead.in_use == 0


def test_sigterm_lets_in_flight_requests_finish(
    fault_mocks: MockServers, fault_admin: MockAdmin
) -> None:
    env = {f"BFF_{s.upper()}_URL": url for s, url in fault_mocks.urls.items()}
    env["BFF_CACHE_ENABLED"] = "false"
    env["BFF_REQUEST_DEADLINE_S"] = "5"
    fault_admin.fault("menu", latency_ms=1500)
    replica = BffProcess(env).start()
    outcome: dict[str, Any] = {}

    def ask() -> None:
        response = httpx.post(
            f"{replica.url}/web/graphql",
            json={"query": '{ restaurant(id: "r_1") { name } }'},
            timeout=10,
        )
        outcome["status"] = response.status_code
        outcome["body"] = response.json()

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        for _ in range(200):  # wait until the request is in flight downstream
            if fault_admin.calls().get("menu GET /v1/restaurants"):
                break
            time.sleep(0.01)
        assert replica._process is not None
        replica._process.send_signal(signal.SIGTERM)
        asker.join(timeout=15)
    finally:
        replica.stop()
    assert outcome["status"] == 200
    assert outcome["body"]["data"] == {"restaurant": {"name": "Golden Dumpling"}}


async def test_readiness_reports_every_breaker(fault_mocks: MockServers) -> None:
    served, _ = served_bff(fault_mocks)
    with served:
        body = await asyncio.to_thread(readiness, served.url)
    assert body == {
        "status": "ready",
        "services": {s: {"breaker": "closed"} for s in ("menu", "order", "courier")},
    }
