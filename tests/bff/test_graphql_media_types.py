"""GraphQL-over-HTTP media types: what a client's Accept header chooses, and request errors."""

from __future__ import annotations

import pytest
from graphql import GraphQLError
from strawberry.types import ExecutionResult

from bff.graphql_media_types import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    is_request_error,
    response_media_type,
)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("text/html", JSON),
        ("application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
        ("Application/GraphQL-Response+JSON; charset=utf-8", GRAPHQL_RESPONSE_JSON),
        ("application/graphql-response+json;q=0.5, application/json", JSON),
        ("application/graphql-response+json;q=0.5, */*", JSON),
        ("application/graphql-response+json;q=0", JSON),
        ("application/graphql-response+json;q=nonsense", JSON),
    ],
)
def test_response_media_type(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


def test_errors_before_execution_are_request_errors() -> None:
    syntax = GraphQLError("Syntax Error: Expected Name, found <EOF>.")
    assert is_request_error(ExecutionResult(data=None, errors=[syntax]))


def test_field_errors_are_not_request_errors() -> None:
    field = GraphQLError("not found", path=["restaurant"])
    assert not is_request_error(ExecutionResult(data=None, errors=[field]))
    assert not is_request_error(ExecutionResult(data={"restaurant": None}, errors=[field]))
    assert not is_request_error(ExecutionResult(data={"restaurant": {"id": "r_1"}}, errors=None))
