"""The courier service: deliveries by order, single deliveries, couriers and their caching."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.support import assert_problem

DELIVERY_KEYS = {
    "id", "order_id", "courier_id", "status", "location", "location_updated_at", "eta",
    "distance_m",
}  # fmt: skip
DELIVERY_STATUSES = {"ASSIGNED", "AT_RESTAURANT", "PICKED_UP", "NEAR_CUSTOMER", "DELIVERED"}


@pytest.fixture(scope="module")
def order_ids(http: httpx.Client, order_url: str) -> list[str]:
    """Orders of the example customers, found through the order service."""
    ids: list[str] = []
    for customer in ("u_1", "u_2", "u_3", "u_4", "u_5"):
        page = http.get(f"{order_url}/v1/orders", params={"customer_id": customer, "limit": 100})
        ids += [o["id"] for o in page.json()["items"]]
    return ids[:100]


@pytest.fixture(scope="module")
def deliveries(http: httpx.Client, courier_url: str, order_ids: list[str]) -> list[dict[str, Any]]:
    response = http.get(f"{courier_url}/v1/deliveries", params={"order_ids": ",".join(order_ids)})
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    if not items:
        pytest.skip("no deliveries for the orders of u_1..u_5")
    return items


def test_deliveries_by_order(
    http: httpx.Client, courier_url: str, order_ids: list[str], deliveries: list[dict[str, Any]]
) -> None:
    orders = [d["order_id"] for d in deliveries]
    assert len(orders) == len(set(orders)), "at most one delivery per order"
    assert set(orders) <= set(order_ids)
    for delivery in deliveries:
        assert delivery.keys() >= DELIVERY_KEYS
        assert delivery["status"] in DELIVERY_STATUSES
        if delivery["location"] is not None:
            assert set(delivery["location"]) >= {"lat", "lng"}


def test_deliveries_headers(
    http: httpx.Client, courier_url: str, deliveries: list[dict[str, Any]]
) -> None:
    order_id = deliveries[0]["order_id"]
    response = http.get(f"{courier_url}/v1/deliveries", params={"order_ids": order_id})
    assert response.headers["cache-control"] == "private, max-age=2"
    assert [d["order_id"] for d in response.json()["items"]] == [order_id]


def test_duplicate_order_ids_give_one_delivery(
    http: httpx.Client, courier_url: str, deliveries: list[dict[str, Any]]
) -> None:
    order_id = deliveries[0]["order_id"]
    ids = ",".join([order_id, order_id, "zz_none"])
    items = http.get(f"{courier_url}/v1/deliveries", params={"order_ids": ids}).json()["items"]
    assert [d["order_id"] for d in items] == [order_id]


def test_a_new_order_has_no_delivery_yet(http: httpx.Client, courier_url: str) -> None:
    items = http.get(f"{courier_url}/v1/deliveries", params={"order_ids": "zz_no_order"})
    assert items.json() == {"items": []}


def test_single_delivery(
    http: httpx.Client, courier_url: str, deliveries: list[dict[str, Any]]
) -> None:
    wanted = deliveries[0]
    response = http.get(f"{courier_url}/v1/deliveries/{wanted['id']}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=2"
    assert response.json()["id"] == wanted["id"]
    assert response.json()["order_id"] == wanted["order_id"]


def test_deliveries_require_order_ids(http: httpx.Client, courier_url: str) -> None:
    assert_problem(http.get(f"{courier_url}/v1/deliveries"), 400)


def test_couriers(http: httpx.Client, courier_url: str, deliveries: list[dict[str, Any]]) -> None:
    courier_ids = sorted({d["courier_id"] for d in deliveries if d["courier_id"]})
    assert courier_ids, "expected couriers on some deliveries"
    url = f"{courier_url}/v1/couriers"
    response = http.get(url, params={"ids": ",".join([*courier_ids, courier_ids[0], "zz_no"])})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    etag = response.headers["etag"]
    assert etag.startswith('"')
    couriers = response.json()["items"]
    assert {c["id"] for c in couriers} == set(courier_ids)
    for courier in couriers:
        assert {"id", "name", "vehicle", "rating", "phone", "photo_url"} <= courier.keys()
        assert courier["vehicle"] in {"BICYCLE", "SCOOTER", "CAR", "ON_FOOT"}
    params = {"ids": ",".join([*courier_ids, courier_ids[0], "zz_no"])}
    again = http.get(url, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_couriers_require_ids(http: httpx.Client, courier_url: str) -> None:
    assert_problem(http.get(f"{courier_url}/v1/couriers"), 400)
