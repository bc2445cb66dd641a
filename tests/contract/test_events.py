"""Event streams: SSE framing, consecutive ids, Last-Event-ID replay and stream.reset."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.contract.support import (
    ServerEvent,
    Shop,
    new_customer,
    open_shops,
    order_body,
    place,
    server_events,
)

SETTLE_S = 0.3  # let the server register a fresh stream before causing events


@pytest.fixture(scope="module")
def shop(http: httpx.Client, menu_url: str) -> Shop:
    return open_shops(http, menu_url, count=1)[0]


@contextmanager
def stream(url: str, last_event_id: str | None = None) -> Iterator[Iterator[ServerEvent]]:
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    timeout = httpx.Timeout(10.0, read=20.0)
    with (
        httpx.Client(timeout=timeout) as client,
        client.stream("GET", f"{url}/v1/events", headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        time.sleep(SETTLE_S)
        yield server_events(response.iter_lines())


def place_one(http: httpx.Client, order_url: str, shop: Shop) -> dict[str, Any]:
    line = {"menu_item_id": shop.available[0]["id"], "quantity": 1}
    response = place(http, order_url, order_body(new_customer(), shop.id, [line]))
    assert response.status_code == 201
    order: dict[str, Any] = response.json()
    return order


def until(events: Iterator[ServerEvent], order_id: str, type_: str) -> list[ServerEvent]:
    """Events up to and including `type_` for `order_id`."""
    seen = []
    for event in events:
        seen.append(event)
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == type_ and data.get("order_id") == order_id:
            return seen
    raise AssertionError("stream ended early")


def test_new_events_with_consecutive_ids(http: httpx.Client, order_url: str, shop: Shop) -> None:
    with stream(order_url) as events:
        first = place_one(http, order_url, shop)
        second = place_one(http, order_url, shop)
        http.post(f"{order_url}/v1/orders/{second['id']}/cancel", json={"reason": "x"})
        seen = until(events, second["id"], "order.status_changed")
    created = [e for e in seen if e.type == "order.created"]
    assert [e.data["order_id"] for e in created][-2:] == [first["id"], second["id"]]
    ids = [int(e.id or "") for e in seen]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    assert seen[0].data["order_id"] == first["id"], "no backlog without Last-Event-ID"
    data = created[-1].data
    assert {"order_id", "customer_id", "restaurant_id", "at"} <= data.keys()
    assert data["customer_id"] == second["customer_id"]
    changed = seen[-1].data
    assert {"order_id", "customer_id", "status", "at"} <= changed.keys()
    assert changed["status"] == "CANCELLED"


def test_frames_are_id_event_data(http: httpx.Client, order_url: str, shop: Shop) -> None:
    with stream(order_url) as events:
        order = place_one(http, order_url, shop)
        event = until(events, order["id"], "order.created")[-1]
    assert [line.split(":")[0] for line in event.raw] == ["id", "event", "data"]
    assert event.id is not None and event.id.isdigit()


def test_last_event_id_replays_what_was_missed(
    http: httpx.Client, order_url: str, shop: Shop
) -> None:
    with stream(order_url) as events:
        order = place_one(http, order_url, shop)
        marker = until(events, order["id"], "order.created")[-1]
    missed = [place_one(http, order_url, shop) for _ in range(2)]
    with stream(order_url, last_event_id=marker.id) as events:
        replayed = until(events, missed[-1]["id"], "order.created")
    assert replayed[0].id == str(int(marker.id or "") + 1)
    created = [e.data["order_id"] for e in replayed if e.type == "order.created"]
    assert created[-2:] == [m["id"] for m in missed]


@pytest.mark.parametrize("last_event_id", ["not-a-number", "abc123"])
def test_unusable_last_event_id_starts_with_stream_reset(
    http: httpx.Client, order_url: str, shop: Shop, last_event_id: str
) -> None:
    with stream(order_url, last_event_id=last_event_id) as events:
        order = place_one(http, order_url, shop)
        seen = until(events, order["id"], "order.created")
    assert seen[0].type == "stream.reset"
    assert seen[0].id is None
    assert seen[0].data == {}
    assert seen[1].type == "order.created", "only new events follow a reset"
