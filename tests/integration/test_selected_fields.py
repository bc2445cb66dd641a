"""Restaurants are built with only the fields their selection reaches, through fragments and
aliases too: what is not selected is never built, what is selected is always there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from schema.common import types
from schema.common.queries import Origin
from tests.integration.test_mobile_operations import LISBON
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient

Counts = dict[str, int]


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Counts:
    """How many opening hours and locations were built, and distances worked out."""
    counts: Counts = {"hours": 0, "locations": 0, "distances": 0}

    def counting(key: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[key] += 1
            return original(*args, **kwargs)

        return wrapper

    hours, location = types.OpeningHours.from_model, types.LatLng.from_model
    distance = Origin.distance_to
    monkeypatch.setattr(types.OpeningHours, "from_model", counting("hours", hours))
    monkeypatch.setattr(types.LatLng, "from_model", counting("locations", location))
    monkeypatch.setattr(Origin, "distance_to", counting("distances", distance))
    return counts


def test_a_search_builds_no_opening_hours_and_no_locations(
    web: GraphQLClient, built: Counts
) -> None:
    result = web.operation("SearchRestaurants", LISBON)

    assert result.errors == []
    nodes = [e["node"] for e in result.data["nearbyRestaurants"]["edges"]]
    assert nodes and all(n["distanceMeters"] is not None for n in nodes)
    assert built == {"hours": 0, "locations": 0, "distances": len(nodes)}


def test_an_order_history_builds_its_restaurants_without_their_hours(
    web: GraphQLClient, built: Counts
) -> None:
    result = web.operation("OrderHistory", {"first": 5}, user="u_1")

    assert result.errors == []
    restaurants = [e["node"]["restaurant"] for e in result.data["me"]["orders"]["edges"]]
    assert restaurants and all(r["address"]["city"] for r in restaurants)
    assert built == {"hours": 0, "locations": 0, "distances": 0}


FRAGMENTS = """
query($lat: Float!, $lng: Float!) {
  nearbyRestaurants(lat: $lat, lng: $lng, first: 3) {
    edges { node { id ...Place ... on Restaurant { hours: openingHours { day open } } } }
  }
}
fragment Place on Restaurant {
  far: distanceMeters
  where: address { city }
  location { lat }
}
"""


def test_fields_reached_through_fragments_and_aliases_are_built(
    web: GraphQLClient, built: Counts
) -> None:
    searched = web.query(FRAGMENTS, LISBON)

    assert searched.errors == []
    nodes = [e["node"] for e in searched.data["nearbyRestaurants"]["edges"]]
    assert len(nodes) == 3
    for node in nodes:
        assert node["hours"] and all(set(h) == {"day", "open"} for h in node["hours"])
        assert node["far"] is not None
        assert node["where"]["city"] and node["location"]["lat"]
    page = web.operation("RestaurantPage", {"id": nodes[0]["id"]}).data["restaurant"]
    assert nodes[0]["hours"] == [{"day": h["day"], "open": h["open"]} for h in page["openingHours"]]
    assert nodes[0]["location"]["lat"] == page["location"]["lat"]


def test_an_orders_restaurant_and_address_get_the_fields_their_fragments_select(
    web: GraphQLClient, admin: MockAdmin
) -> None:
    order = admin.get("order", "/v1/orders", customer_id="u_1", limit="1")["items"][0]
    result = web.query(
        """query($id: ID!) {
          order(id: $id) {
            restaurant { id ...Hours }
            deliveryAddress { ... on Address { spot: location { lat lng } } }
          }
        }
        fragment Hours on Restaurant { openingHours { day } location { lat lng } }""",
        {"id": order["id"]},
        user="u_1",
    )

    assert result.errors == []
    assert result.data["order"]["deliveryAddress"]["spot"] == order["delivery_address"]["location"]
    restaurant = result.data["order"]["restaurant"]
    page = web.operation("RestaurantPage", {"id": restaurant["id"]}).data["restaurant"]
    assert restaurant["openingHours"] == [{"day": h["day"]} for h in page["openingHours"]]
    assert restaurant["location"] == page["location"]


def test_a_mobile_restaurant_has_its_aliased_thumbnail(mobile: GraphQLClient) -> None:
    result = mobile.query(
        """query($lat: Float!, $lng: Float!) {
          nearbyRestaurants(lat: $lat, lng: $lng, first: 2) {
            edges { node { thumb: thumbnailUrl eta: deliveryEtaMinutes } }
          }
        }""",
        LISBON,
    )

    assert result.errors == []
    nodes = [e["node"] for e in result.data["nearbyRestaurants"]["edges"]]
    assert nodes and all(n["thumb"] and n["eta"] is not None for n in nodes)
