"""The tabs GraphiQL opens with: every operation of the client, with example variables."""

from __future__ import annotations

import json
import re

import pytest

from bff.graphiql_tabs import EXAMPLE_VARIABLES, client_tabs
from schema.build import CLIENTS
from schema.operations import Operation, client_operations

REQUIRED_VARIABLE = re.compile(r"\$(\w+)\s*:\s*[\w\[\]!]+!(?!\s*=)")


@pytest.mark.parametrize("client", CLIENTS)
def test_every_operation_of_the_client_is_a_tab(client: str) -> None:
    tabs = client_tabs(client, {})
    assert sorted(tab.query for tab in tabs) == sorted(
        op.document for op in client_operations(client)
    )


@pytest.mark.parametrize("client", CLIENTS)
def test_queries_come_first_and_subscriptions_last(client: str) -> None:
    kinds = [tab.query.split(None, 1)[0] for tab in client_tabs(client, {})]
    assert kinds == sorted(kinds, key=["query", "mutation", "subscription"].index)


@pytest.mark.parametrize(
    "operation",
    [op for client in CLIENTS for op in client_operations(client)],
    ids=lambda op: f"{op.client}/{op.name}",
)
def test_every_required_variable_has_an_example(operation: Operation) -> None:
    # A new operation from the apps fails here until it has example variables.
    required = set(REQUIRED_VARIABLE.findall(operation.document.split("{", 1)[0]))
    assert required <= set(EXAMPLE_VARIABLES.get(operation.name, {}))


def test_restaurant_and_search_examples() -> None:
    tabs = {json.loads(tab.variables).get("id"): tab for tab in client_tabs("web", {})}
    assert "r_1" in tabs
    search = next(tab for tab in client_tabs("web", {}) if "SearchRestaurants" in tab.query)
    assert json.loads(search.variables) | {"first": 0} == {
        "lat": 38.7223,
        "lng": -9.1393,
        "first": 0,
    }


def test_headers_go_in_every_tab() -> None:
    tabs = client_tabs("mobile", {"Authorization": "Bearer t"})
    assert {json.loads(tab.headers)["Authorization"] for tab in tabs} == {"Bearer t"}
    assert {tab.headers for tab in client_tabs("mobile", {})} == {""}
