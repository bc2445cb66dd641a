"""Helpers for contract tests: problem checks, SSE parsing, finding data through the contract."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

LISBON = (38.7223, -9.1393)
NEAR_LISBON = "38.7223,-9.1393"


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert isinstance(body["type"], str)
    assert isinstance(body["code"], str)
    if code is not None:
        assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def new_key() -> str:
    return f"contract-{uuid.uuid4()}"


def new_customer() -> str:
    return f"u_contract_{uuid.uuid4().hex[:12]}"


def address() -> dict[str, Any]:
    return {
        "line1": "Rua Augusta 1",
        "city": "Lisbon",
        "postcode": "1100-048",
        "location": {"lat": 38.7097, "lng": -9.1365},
    }


@dataclass
class Shop:
    """An open restaurant found through the contract, with its menu."""

    restaurant: dict[str, Any]
    menu: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.restaurant["id"])

    @property
    def available(self) -> list[dict[str, Any]]:
        return [item for item in self.menu if item["available"]]

    @property
    def unavailable(self) -> list[dict[str, Any]]:
        return [item for item in self.menu if not item["available"]]


def nearby(http: httpx.Client, menu_url: str, **params: Any) -> list[dict[str, Any]]:
    response = http.get(f"{menu_url}/v1/restaurants", params={"near": NEAR_LISBON, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def open_shops(http: httpx.Client, menu_url: str, count: int = 2) -> list[Shop]:
    """Open restaurants near Lisbon that have available items."""
    shops = []
    for restaurant in nearby(http, menu_url, open_now="true", limit=20):
        menu = http.get(f"{menu_url}/v1/restaurants/{restaurant['id']}/menu").json()["items"]
        shop = Shop(restaurant, menu)
        if shop.available:
            shops.append(shop)
        if len(shops) == count:
            break
    assert len(shops) == count, "need open restaurants with available items near Lisbon"
    return shops


def order_body(customer_id: str, restaurant_id: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "restaurant_id": restaurant_id,
        "items": lines,
        "delivery_address": address(),
    }


def place(
    http: httpx.Client, order_url: str, body: dict[str, Any], key: str | None = None
) -> httpx.Response:
    return http.post(
        f"{order_url}/v1/orders", json=body, headers={"Idempotency-Key": key or new_key()}
    )


@dataclass
class ServerEvent:
    id: str | None
    type: str | None
    data: Any
    raw: list[str] = field(default_factory=list)


def server_events(lines: Iterator[str], comments: list[str] | None = None) -> Iterator[ServerEvent]:
    """Parse an SSE line stream into events; comment lines are appended to `comments`."""
    event_id: str | None = None
    event_type: str | None = None
    data: list[str] = []
    raw: list[str] = []
    for line in lines:
        if line == "":
            if data or event_type is not None:
                yield ServerEvent(event_id, event_type, json.loads("\n".join(data)), raw)
            event_id, event_type, data, raw = None, None, [], []
            continue
        if line.startswith(":"):
            if comments is not None:
                comments.append(line)
            continue
        raw.append(line)
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            event_id = value
        elif name == "event":
            event_type = value
        elif name == "data":
            data.append(value)
