"""Fuzzing both schemas over HTTP with hypothesis-graphql: whatever the query (valid ones and
mutated ones), no 500 and no leaked exception text, stack trace or internal URL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from mocks.runner import MockServers
from schema.export import export_sdl
from tests.support.served import ServedApp

LEAKS = ("Traceback", "Exception", "Error(", 'File "', "httpx", "127.0.0.1", "localhost")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "DateTime": st.sampled_from(["2026-01-01T00:00:00Z", "nope"]).map(
        lambda value: StringValueNode(value=value)
    )
}


def _check(bff: ServedApp, mocks: MockServers, client: str, document: str) -> None:
    response = httpx.post(
        f"{bff.url}/{client}/graphql",
        json={"query": document},
        headers={"accept": "application/graphql-response+json"},
        timeout=30,
    )
    assert response.status_code < 500, response.text
    # Validation messages quote the query's own values back: only what the query did not
    # bring with it can be a leak.
    leaked = [leak for leak in LEAKS if leak in response.text and leak not in document]
    assert not leaked, (leaked, response.text[:500])
    assert not any(url.split("//")[1] in response.text for url in mocks.urls.values())


@pytest.mark.parametrize("client", ["mobile", "web"])
@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_fuzzed_queries_never_break_the_bff(
    bff: ServedApp, mocks: MockServers, client: str, mode: Mode
) -> None:
    strategy = from_schema(export_sdl(client), custom_scalars=SCALARS, mode=mode)

    @FUZZ
    @given(document=strategy)
    def run(document: object) -> None:
        _check(bff, mocks, client, str(document))

    run()
