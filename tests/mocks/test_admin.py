"""The mocks' admin API: faults, call statistics, data changes and stream control."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest

from mocks.runner import MockServers
from tests.contract.support import order_body, place, server_events

ORDER_LINE = [{"menu_item_id": "m_1", "quantity": 1}]


def faults(client: httpx.Client, url: str, **config: Any) -> None:
    response = client.put(f"{url}/__admin/faults", json=config)
    assert response.status_code == 200, response.text


def test_fault_config_round_trip(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["menu"]
    faults(client, url, error_rate=0.5, match="GET /v1/restaurants", times=3)
    current = client.get(f"{url}/__admin/faults").json()
    assert current["error_rate"] == 0.5 and current["times"] == 3
    assert current["latency_ms"] == 0 and current["error_status"] == 503
    assert client.delete(f"{url}/__admin/faults").status_code == 200
    assert client.get(f"{url}/__admin/faults").json()["error_rate"] == 0.0


@pytest.mark.parametrize(
    "config", [{"error_rate": 2}, {"match": "FETCH /x"}, {"latency_ms": -1}, {"bogus": 1}]
)
def test_bad_fault_config_is_a_problem(
    mocks: MockServers, client: httpx.Client, config: dict[str, Any]
) -> None:
    response = client.put(f"{mocks.urls['menu']}/__admin/faults", json=config)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "RATE_LIMITED"), (500, "INTERNAL_ERROR"), (502, "BAD_GATEWAY"),
     (503, "UNAVAILABLE"), (504, "GATEWAY_TIMEOUT")],
)  # fmt: skip
def test_error_status(mocks: MockServers, client: httpx.Client, status: int, code: str) -> None:
    url = mocks.urls["menu"]
    faults(client, url, error_rate=1.0, error_status=status, retry_after=7)
    response = client.get(f"{url}/v1/restaurants/r_1")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.headers["retry-after"] == "7"
    assert client.get(f"{url}/healthz").status_code == 200, "health is never faulted"
    assert client.get(f"{url}/__admin/stats").status_code == 200


def test_match_and_times_fault_only_the_next_matching_requests(
    mocks: MockServers, client: httpx.Client
) -> None:
    url = mocks.urls["order"]
    faults(client, url, error_rate=1.0, match="POST /v1/orders", times=1)
    assert client.get(f"{url}/v1/orders/o_1").status_code == 200
    body = order_body("u_1", "r_1", ORDER_LINE)
    assert place(client, url, body, "admin-test-key-1").status_code == 503
    assert place(client, url, body, "admin-test-key-1").status_code == 201
    assert client.get(f"{url}/__admin/faults").json()["times"] == 0


def test_outage_fails_everything_including_health(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["courier"]
    faults(client, url, outage=True)
    assert client.get(f"{url}/v1/couriers?ids=c_1").status_code == 503
    assert client.get(f"{url}/healthz").status_code == 503
    client.post(f"{url}/__admin/reset")
    assert client.get(f"{url}/healthz").status_code == 200


def test_latency(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["menu"]
    faults(client, url, latency_ms=300)
    started = time.monotonic()
    assert client.get(f"{url}/v1/restaurants/r_1").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_latency_is_the_time_to_the_answer_the_work_happens_meanwhile(
    mocks: MockServers, client: httpx.Client
) -> None:
    url = mocks.urls["order"]
    before = len(mocks.world.orders)
    faults(client, url, latency_ms=1500, match="POST /v1/orders")
    answers: list[int] = []
    body = order_body("u_1", "r_1", ORDER_LINE)
    worker = threading.Thread(
        target=lambda: answers.append(place(client, url, body, "admin-latency-key").status_code)
    )
    worker.start()
    # The order exists while its answer is still held back.
    for _ in range(100):
        if len(mocks.world.orders) > before:
            break
        time.sleep(0.01)
    assert len(mocks.world.orders) == before + 1
    assert answers == []
    worker.join()
    assert answers == [201]


def test_dropped_post_creates_no_order(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["order"]
    before = len(mocks.world.orders)
    faults(client, url, drop_rate=1.0, match="POST /v1/orders", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        place(client, url, order_body("u_1", "r_1", ORDER_LINE), "admin-drop-key-1")
    assert len(mocks.world.orders) == before
    retried = place(client, url, order_body("u_1", "r_1", ORDER_LINE), "admin-drop-key-1")
    assert retried.status_code == 201
    assert len(mocks.world.orders) == before + 1


def test_errored_post_creates_no_order(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["order"]
    before = len(mocks.world.orders)
    faults(client, url, error_rate=1.0, error_status=500, match="POST /v1/orders")
    assert place(client, url, order_body("u_1", "r_1", ORDER_LINE)).status_code == 500
    assert len(mocks.world.orders) == before


def test_stats(mocks: MockServers, client: httpx.Client) -> None:
    menu, courier = mocks.urls["menu"], mocks.urls["courier"]
    client.get(f"{menu}/v1/restaurants?ids=r_1,r_2,r_1")
    client.get(f"{menu}/v1/restaurants/r_1/menu")
    client.get(f"{menu}/v1/restaurants/r_2/menu")
    client.get(f"{menu}/healthz")
    with client.stream("GET", f"{menu}/v1/events"):
        pass
    faults(client, menu, error_rate=1.0)
    client.get(f"{menu}/v1/menu-items?ids=m_1")
    client.get(f"{courier}/v1/deliveries?order_ids=o_1,o_2")
    stats = client.get(f"{menu}/__admin/stats").json()
    assert stats["total"] == 4
    assert stats["endpoints"]["GET /v1/restaurants"] == {"calls": 1, "ids": 3}
    assert stats["endpoints"]["GET /v1/restaurants/{id}/menu"]["calls"] == 2
    assert stats["endpoints"]["GET /v1/menu-items"] == {"calls": 1, "ids": 1}
    assert stats["endpoints"]["GET /v1/events"]["calls"] == 1
    courier_stats = client.get(f"{courier}/__admin/stats").json()
    assert courier_stats["endpoints"]["GET /v1/deliveries"] == {"calls": 1, "ids": 2}
    client.post(f"{menu}/__admin/stats/reset")
    assert client.get(f"{menu}/__admin/stats").json() == {"total": 0, "endpoints": {}}
    client.post(f"{menu}/__admin/reset")
    assert client.get(f"{menu}/__admin/faults").json()["error_rate"] == 0.0


def test_price_change_changes_etag_and_emits(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["menu"]
    before = client.get(f"{url}/v1/menu-items?ids=m_1")
    with client.stream("GET", f"{url}/v1/events") as response:
        time.sleep(0.1)
        changed = client.post(f"{url}/__admin/menu-items/m_1/price", json={"amount": 1234})
        assert changed.status_code == 200
        event = next(server_events(response.iter_lines()))
    assert event.type == "menu_item.updated"
    assert event.data["menu_item_id"] == "m_1" and event.data["restaurant_id"] == "r_1"
    after = client.get(
        f"{url}/v1/menu-items?ids=m_1", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.json()["items"][0]["price"]["amount"] == 1234
    assert after.json()["items"][0]["updated_at"] > before.json()["items"][0]["updated_at"]
    order = place(client, mocks.urls["order"], order_body("u_1", "r_1", ORDER_LINE)).json()
    assert order["items"][0]["unit_price"]["amount"] == 1234


def test_closing_a_restaurant(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["menu"]
    with client.stream("GET", f"{url}/v1/events") as response:
        time.sleep(0.1)
        assert client.patch(f"{url}/__admin/restaurants/r_1", json={"is_open": False}).is_success
        event = next(server_events(response.iter_lines()))
    assert event.type == "restaurant.updated" and event.data["restaurant_id"] == "r_1"
    assert client.get(f"{url}/v1/restaurants/r_1").json()["is_open"] is False
    refused = place(client, mocks.urls["order"], order_body("u_1", "r_1", ORDER_LINE))
    assert refused.json()["code"] == "RESTAURANT_CLOSED"
    assert client.patch(f"{url}/__admin/restaurants/zz", json={"name": "x"}).status_code == 404


def test_advance_moves_the_order_and_its_delivery(mocks: MockServers, client: httpx.Client) -> None:
    order_url, courier_url = mocks.urls["order"], mocks.urls["courier"]
    order = place(client, order_url, order_body("u_1", "r_1", ORDER_LINE)).json()
    deliveries = f"{courier_url}/v1/deliveries?order_ids={order['id']}"
    assert client.get(deliveries).json()["items"] == []
    expected = {
        "ACCEPTED": "ASSIGNED",
        "PREPARING": "ASSIGNED",
        "READY_FOR_PICKUP": "AT_RESTAURANT",
        "PICKED_UP": "PICKED_UP",
        "DELIVERED": "DELIVERED",
    }
    with client.stream("GET", f"{courier_url}/v1/events") as response:
        time.sleep(0.1)
        for status, delivery_status in expected.items():
            advanced = client.post(f"{order_url}/__admin/orders/{order['id']}/advance")
            assert advanced.json()["status"] == status
            (delivery,) = client.get(deliveries).json()["items"]
            assert delivery["status"] == delivery_status
            assert delivery["courier_id"] and delivery["location"] and delivery["eta"]
        events = server_events(response.iter_lines())
        updates = [next(events) for _ in expected]
    assert {e.type for e in updates} == {"delivery.updated"}
    assert [e.data["status"] for e in updates] == list(expected.values())
    assert updates[-1].data["distance_m"] == 0
    final = client.post(f"{order_url}/__admin/orders/{order['id']}/advance")
    assert final.status_code == 409


def test_disconnect_and_ping(mocks: MockServers, client: httpx.Client) -> None:
    url = mocks.urls["order"]
    lines: list[str] = []

    def read() -> None:
        with httpx.stream("GET", f"{url}/v1/events", timeout=5) as response:
            lines.extend(response.iter_lines())

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(0.7)
    assert client.post(f"{url}/__admin/events/disconnect").json()["disconnected"] == 1
    reader.join(timeout=5)
    assert not reader.is_alive(), "the stream should have ended"
    assert lines.count(": ping") >= 2
