"""application/graphql-response+json for clients that accept it, with the GraphQL-over-HTTP
spec's status codes; application/json stays 200 for every well-formed request."""

from __future__ import annotations

import httpx
import pytest

from tests.support.served import ServedApp

GRAPHQL_RESPONSE = "application/graphql-response+json"
SPEC_CLIENT = f"{GRAPHQL_RESPONSE}, application/json;q=0.9"

SYNTAX_ERROR = "{ restaurant(id: "
VALIDATION_ERROR = "{ noSuchField }"
COERCION_ERROR = "query ($id: ID!) { restaurant(id: $id) { name } }"
GOOD = '{ restaurant(id: "r_1") { name } }'
FIELD_ERROR = '{ restaurant(id: "r_999999") { name } }'


def _post(bff: ServedApp, query: str, accept: str | None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    return httpx.post(
        f"{bff.url}/mobile/graphql", json={"query": query}, headers=headers, timeout=10
    )


@pytest.mark.parametrize("query", [SYNTAX_ERROR, VALIDATION_ERROR, COERCION_ERROR])
def test_a_request_error_is_400_without_data(bff: ServedApp, query: str) -> None:
    response = _post(bff, query, SPEC_CLIENT)

    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


@pytest.mark.parametrize("accept", ["application/json", "*/*", None])
@pytest.mark.parametrize("query", [SYNTAX_ERROR, VALIDATION_ERROR, COERCION_ERROR])
def test_a_request_error_stays_200_with_json(bff: ServedApp, query: str, accept: str) -> None:
    response = _post(bff, query, accept)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None
    assert response.json()["errors"]


def test_an_executed_request_is_200(bff: ServedApp) -> None:
    response = _post(bff, GOOD, SPEC_CLIENT)

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"restaurant": {"name": "Golden Dumpling"}}}


def test_field_errors_are_partial_results_and_200(bff: ServedApp) -> None:
    response = _post(bff, FIELD_ERROR, SPEC_CLIENT)

    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert body["data"] == {"restaurant": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
