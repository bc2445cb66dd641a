"""The tabs a client's GraphiQL opens with: its apps' operations, with example variables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from schema.operations import Operation, client_operations

LISBON: dict[str, object] = {"lat": 38.7223, "lng": -9.1393}
EXAMPLE_RESTAURANT = "r_1"
# The development customer's first order in the mocks' seed; MyOrders lists the others.
EXAMPLE_ORDER = "o_1"

EXAMPLE_VARIABLES: Mapping[str, Mapping[str, object]] = {
    "HomeFeed": {**LISBON, "first": 10},
    "SearchRestaurants": {**LISBON, "first": 24},
    "RestaurantMenu": {"id": EXAMPLE_RESTAURANT},
    "RestaurantPage": {"id": EXAMPLE_RESTAURANT},
    "MyOrders": {"first": 20},
    "OrderHistory": {"first": 20},
    "OrderTracking": {"id": EXAMPLE_ORDER},
    "OrderDetail": {"id": EXAMPLE_ORDER},
    "TrackOrder": {"id": EXAMPLE_ORDER},
    "CancelOrder": {"id": EXAMPLE_ORDER, "reason": "Ordered by mistake"},
    "PlaceOrder": {
        "input": {
            "restaurantId": EXAMPLE_RESTAURANT,
            # Fixed on purpose: running the tab again shows that a retried checkout is safe.
            "idempotencyKey": "graphiql-checkout-1",
            "items": [{"menuItemId": "m_1", "quantity": 2}],
            "deliveryAddress": {
                "line1": "Rua Augusta 1",
                "city": "Lisbon",
                "postcode": "1100-048",
                "location": {"lat": 38.7097, "lng": -9.1365},
            },
        }
    },
}

# Screens read first, then what changes things, then live updates.
KIND_ORDER = {"query": 0, "mutation": 1, "subscription": 2}


@dataclass(frozen=True, slots=True)
class GraphiQLTab:
    """One tab as GraphiQL's ``defaultTabs`` takes it: the editors' texts."""

    query: str
    variables: str
    headers: str


def client_tabs(client: str, headers: Mapping[str, str]) -> list[GraphiQLTab]:
    headers_text = json.dumps(dict(headers), indent=2) if headers else ""
    return [
        GraphiQLTab(operation.document, example_variables(operation.name), headers_text)
        for operation in sorted(client_operations(client), key=_tab_order)
    ]


def example_variables(operation: str) -> str:
    return json.dumps(EXAMPLE_VARIABLES.get(operation, {}), indent=2)


def _tab_order(operation: Operation) -> tuple[int, str]:
    return KIND_ORDER.get(operation.kind, len(KIND_ORDER)), operation.name
