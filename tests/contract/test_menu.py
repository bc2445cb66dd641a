"""The menu service: restaurants near a point, batch gets, menus and their caching headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.support import LISBON, NEAR_LISBON, assert_problem, haversine_m, nearby

RESTAURANT_KEYS = {
    "id", "name", "cuisines", "rating", "rating_count", "price_level", "address", "location",
    "opening_hours", "is_open", "prep_time_minutes", "image_url", "updated_at",
}  # fmt: skip
MENU_ITEM_KEYS = {
    "id", "restaurant_id", "name", "description", "section", "price", "available", "dietary",
    "image_url", "updated_at",
}  # fmt: skip


def distance(restaurant: dict[str, Any]) -> float:
    return haversine_m(*LISBON, restaurant["location"]["lat"], restaurant["location"]["lng"])


def walk(http: httpx.Client, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of a list, following next_cursor and repeating the filters."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        response = http.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert page["items"], "a page with a next_cursor must not be empty"
    raise AssertionError("pagination did not end")


@pytest.fixture(scope="module")
def first_page(http: httpx.Client, menu_url: str) -> list[dict[str, Any]]:
    return nearby(http, menu_url, limit=100)


def test_restaurant_shape(first_page: list[dict[str, Any]]) -> None:
    assert first_page, "expected restaurants near Lisbon"
    for restaurant in first_page:
        assert restaurant.keys() >= RESTAURANT_KEYS
        assert restaurant["rating"] is None or isinstance(restaurant["rating"], int | float)
        assert restaurant["image_url"] is None or isinstance(restaurant["image_url"], str)
        assert all(0 <= h["day"] <= 6 for h in restaurant["opening_hours"])
        assert restaurant["updated_at"].endswith("Z")


def test_nearby_is_nearest_first_within_default_radius(first_page: list[dict[str, Any]]) -> None:
    distances = [distance(r) for r in first_page]
    assert distances == sorted(distances)
    assert all(d <= 3000.5 for d in distances)


def test_nearby_list_headers(http: httpx.Client, menu_url: str) -> None:
    response = http.get(f"{menu_url}/v1/restaurants", params={"near": NEAR_LISBON})
    assert response.headers["cache-control"] == "public, max-age=30"
    assert len(response.json()["items"]) <= 20  # the default limit


def test_radius_bounds_the_results(http: httpx.Client, menu_url: str) -> None:
    small = nearby(http, menu_url, radius_m=800, limit=100)
    assert all(distance(r) <= 800.5 for r in small)
    assert len(small) <= len(nearby(http, menu_url, radius_m=3000, limit=100))


def test_cuisine_filter(
    http: httpx.Client, menu_url: str, first_page: list[dict[str, Any]]
) -> None:
    cuisine = first_page[0]["cuisines"][0]
    filtered = nearby(http, menu_url, cuisine=cuisine, limit=100)
    assert filtered
    assert all(cuisine in r["cuisines"] for r in filtered)


def test_open_now_keeps_open_restaurants(http: httpx.Client, menu_url: str) -> None:
    everything = walk(http, f"{menu_url}/v1/restaurants", {"near": NEAR_LISBON, "limit": 100})
    open_only = walk(
        http, f"{menu_url}/v1/restaurants", {"near": NEAR_LISBON, "limit": 100, "open_now": "true"}
    )
    assert all(r["is_open"] for r in open_only)
    assert {r["id"] for r in open_only} == {r["id"] for r in everything if r["is_open"]}


def test_pages_cover_the_list_without_gaps_or_repeats(http: httpx.Client, menu_url: str) -> None:
    url = f"{menu_url}/v1/restaurants"
    whole = walk(http, url, {"near": NEAR_LISBON, "limit": 100})
    paged = walk(http, url, {"near": NEAR_LISBON, "limit": 7})
    assert [r["id"] for r in paged] == [r["id"] for r in whole]


def test_next_cursor_is_null_exactly_at_the_end(http: httpx.Client, menu_url: str) -> None:
    url = f"{menu_url}/v1/restaurants"
    count = len(walk(http, url, {"near": NEAR_LISBON, "limit": 100, "radius_m": 1500}))
    assert count >= 2
    exact = http.get(url, params={"near": NEAR_LISBON, "radius_m": 1500, "limit": count}).json()
    assert len(exact["items"]) == count
    assert exact["next_cursor"] is None
    short = http.get(url, params={"near": NEAR_LISBON, "radius_m": 1500, "limit": count - 1})
    assert short.json()["next_cursor"] is not None


def test_cursor_is_reusable_with_any_limit(http: httpx.Client, menu_url: str) -> None:
    url = f"{menu_url}/v1/restaurants"
    whole = [r["id"] for r in walk(http, url, {"near": NEAR_LISBON, "limit": 100})]
    cursor = http.get(url, params={"near": NEAR_LISBON, "limit": 3}).json()["next_cursor"]
    for limit in (2, 5, 2):
        page = http.get(url, params={"near": NEAR_LISBON, "limit": limit, "cursor": cursor}).json()
        assert [r["id"] for r in page["items"]] == whole[3 : 3 + limit]


@pytest.mark.parametrize(
    "params",
    [
        {"near": "38.7"},
        {"near": "north,south"},
        {"near": "91,0"},
        {"near": NEAR_LISBON, "radius_m": "-5"},
        {"near": NEAR_LISBON, "radius_m": "far"},
        {"near": NEAR_LISBON, "open_now": "perhaps"},
    ],
)
def test_bad_list_parameters_are_400(
    http: httpx.Client, menu_url: str, params: dict[str, str]
) -> None:
    assert_problem(http.get(f"{menu_url}/v1/restaurants", params=params), 400)


def test_batch_restaurants(
    http: httpx.Client, menu_url: str, first_page: list[dict[str, Any]]
) -> None:
    wanted = [first_page[0]["id"], first_page[1]["id"], first_page[0]["id"], "zz_unknown"]
    response = http.get(f"{menu_url}/v1/restaurants", params={"ids": ",".join(wanted)})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('"')
    assert {r["id"] for r in response.json()["items"]} == set(wanted[:2])


def test_single_restaurant_matches_the_list(
    http: httpx.Client, menu_url: str, first_page: list[dict[str, Any]]
) -> None:
    response = http.get(f"{menu_url}/v1/restaurants/{first_page[0]['id']}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('"')
    assert response.json() == first_page[0]


def test_menu_in_menu_order_and_items_batch(
    http: httpx.Client, menu_url: str, first_page: list[dict[str, Any]]
) -> None:
    rid = first_page[0]["id"]
    response = http.get(f"{menu_url}/v1/restaurants/{rid}/menu")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["etag"].startswith('"')
    menu = response.json()
    assert menu["restaurant_id"] == rid
    assert menu["items"]
    for item in menu["items"]:
        assert item.keys() >= MENU_ITEM_KEYS
        assert item["restaurant_id"] == rid
        assert set(item["price"]) == {"amount", "currency"}
        assert isinstance(item["price"]["amount"], int)
        assert isinstance(item["description"], str)
    ids = [item["id"] for item in menu["items"]][:5]
    batch = http.get(f"{menu_url}/v1/menu-items", params={"ids": ",".join([*ids, "zz_no"])})
    assert batch.status_code == 200
    assert batch.headers["cache-control"] == "public, max-age=60"
    assert batch.headers["etag"].startswith('"')
    by_id = {item["id"]: item for item in batch.json()["items"]}
    assert set(by_id) == set(ids)
    assert all(by_id[item["id"]] == item for item in menu["items"][:5])


ETAGGED = [
    "/v1/restaurants/{rid}",
    "/v1/restaurants/{rid}/menu",
    "/v1/restaurants?ids={rid}",
    "/v1/menu-items?ids={mid}",
]


@pytest.mark.parametrize("template", ETAGGED)
def test_if_none_match_answers_304(
    http: httpx.Client, menu_url: str, first_page: list[dict[str, Any]], template: str
) -> None:
    rid = first_page[0]["id"]
    mid = http.get(f"{menu_url}/v1/restaurants/{rid}/menu").json()["items"][0]["id"]
    url = menu_url + template.format(rid=rid, mid=mid)
    first = http.get(url)
    etag = first.headers["etag"]
    assert not etag.startswith("W/"), "the contract promises strong ETags"
    assert http.get(url).headers["etag"] == etag, "same content, same ETag"
    for header in (etag, f'"nope", {etag}', "*"):
        again = http.get(url, headers={"If-None-Match": header})
        assert again.status_code == 304, header
        assert again.content == b""
    other = http.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.json() == first.json()
