"""The edge over real HTTP: operation limits, persisted and trusted documents, rate limits
(also across two BFF processes sharing a real Redis), request hygiene and production mode."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

from bff.app import create_app
from bff.persisted_queries import document_hash
from bff.settings import OperationLimitSettings, Settings
from mocks.runner import MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import operation_document
from tests.support.redis_server import redis_server
from tests.support.served import BffProcess, ServedApp

SPEC = "application/graphql-response+json, application/json;q=0.9"
PRODUCTION_SECRET = "p" * 48


def _settings(mocks: MockServers, **changes: Any) -> Settings:
    urls: dict[str, Any] = {f"{name}_url": url for name, url in mocks.urls.items()}
    return Settings(_env_file=None, cache_enabled=False, **urls, **changes)


@pytest.fixture(scope="module")
def edge(mocks: MockServers) -> Iterator[ServedApp]:
    settings = _settings(
        mocks,
        mobile_limits=OperationLimitSettings(max_depth=4, page_size_cap=50),
        max_body_bytes=4096,
        max_batch_operations=3,
        cors_origins=["https://app.example"],
        trusted_documents=["web"],
    )
    with ServedApp(create_app(settings)) as served:
        yield served


def _post(url: str, body: Any, **headers: str) -> httpx.Response:
    return httpx.post(url, json=body, headers={"accept": SPEC, **headers}, timeout=10)


# Operation limits: refused before any resolver (and so any downstream call) runs.

ATTACKS = {
    "deep": ("{ me { orders { edges { node { restaurant { name } } } } } }", "max_depth"),
    "alias bomb": (
        "{ " + " ".join(f'r{i}: restaurant(id: "r_1") {{ name }}' for i in range(40)) + " }",
        "max_aliases",
    ),
    "wide": (
        "{ " + " ".join(["__typename"] * 11) + ' restaurant(id: "r_1") { name } }',
        "max_root_fields",
    ),
}

COSTLY = (
    "{ nearbyRestaurants(lat: 38.7, lng: -9.1, first: 100) { edges { node {"
    + " ".join(f"m{i}: menu {{ items {{ name }} }}" for i in range(12))
    + "} } } }"
)


def test_a_costly_operation_is_refused_with_the_default_budget(
    bff: ServedApp, admin: MockAdmin
) -> None:
    response = _post(f"{bff.url}/web/graphql", {"query": COSTLY})

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["limit"] == "max_cost"
    assert error["extensions"]["maximum"] == 50_000
    assert sum(admin.calls().values()) == 0


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_limit_refuses_its_attack_before_any_resolver(
    edge: ServedApp, admin: MockAdmin, attack: str
) -> None:
    document, limit = ATTACKS[attack]
    response = _post(f"{edge.url}/mobile/graphql", {"query": document})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert limit in [e["extensions"].get("limit") for e in errors if "extensions" in e]
    assert f"({limit})" in errors[0]["message"]
    assert "data" not in response.json()
    assert sum(admin.calls().values()) == 0


def test_a_token_bomb_is_refused(edge: ServedApp) -> None:
    document = "{ " + "__typename " * 3000 + "}"
    response = _post(f"{edge.url}/web/graphql", {"query": document})
    assert response.status_code in (400, 413)


# Automatic persisted queries, as Apollo's persisted-query link speaks them.


def test_apq_over_post_and_get(edge: ServedApp) -> None:
    url = f"{edge.url}/mobile/graphql"
    query = '{ restaurant(id: "r_1") { name } }'
    apq = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(query)}}

    missing = _post(url, {"extensions": apq})
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = _post(url, {"query": query, "extensions": apq})
    assert registered.json() == {"data": {"restaurant": {"name": "Golden Dumpling"}}}

    by_hash = httpx.get(url, params={"extensions": _json(apq)}, headers={"accept": SPEC})
    assert by_hash.status_code == 200
    assert by_hash.json() == {"data": {"restaurant": {"name": "Golden Dumpling"}}}


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def test_trusted_documents_with_a_real_client(edge: ServedApp) -> None:
    transport = HTTPXTransport(url=f"{edge.url}/web/graphql", timeout=10)
    with Client(transport=transport) as session:
        # gql prints the document its own way: the canonical form is registered too.
        request = gql(operation_document("web", "RestaurantPage"))
        request.variable_values = {"id": "r_1"}
        data = session.execute(request)
        assert data["restaurant"]["name"] == "Golden Dumpling"

    refused = _post(f"{edge.url}/web/graphql", {"query": "{ __typename }"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_TRUSTED"


def test_a_registered_operation_runs_by_hash_alone(edge: ServedApp) -> None:
    document = operation_document("web", "RestaurantPage")
    apq = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(document)}}
    response = _post(f"{edge.url}/web/graphql", {"variables": {"id": "r_1"}, "extensions": apq})
    assert response.json()["data"]["restaurant"]["name"] == "Golden Dumpling"


# Request hygiene.


def test_a_body_over_the_limit_is_413(edge: ServedApp) -> None:
    response = _post(f"{edge.url}/mobile/graphql", {"query": "{ __typename }", "x": "y" * 5000})
    assert response.status_code == 413
    assert "4096" in response.text


def test_batches_are_bounded(edge: ServedApp) -> None:
    url = f"{edge.url}/mobile/graphql"
    batch = [{"query": "{ __typename }"}] * 3
    assert [r["data"] for r in _post(url, batch).json()] == [{"__typename": "Query"}] * 3
    too_many = _post(url, batch + batch)
    assert too_many.status_code == 400
    assert "Too many operations" in too_many.text


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
def test_simple_posts_are_refused(edge: ServedApp, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = httpx.post(
        f"{edge.url}/mobile/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )
    assert response.status_code == 415
    assert "application/json" in response.text


def test_no_mutation_over_get(edge: ServedApp) -> None:
    document = 'mutation { cancelOrder(id: "o_1") { order { id } } }'
    response = httpx.get(f"{edge.url}/mobile/graphql", params={"query": document})
    assert response.status_code == 405


def test_malformed_json_and_unknown_operation_names_are_clear(edge: ServedApp) -> None:
    url = f"{edge.url}/mobile/graphql"
    bad = httpx.post(url, content=b"{nope", headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert "JSON" in bad.text
    unknown = _post(url, {"query": "query A { __typename }", "operationName": "B"})
    assert unknown.status_code == 400
    assert 'Unknown operation named "B"' in unknown.json()["errors"][0]["message"]


def test_cors_from_settings(edge: ServedApp) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{edge.url}/mobile/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type,authorization",
            },
        )

    allowed = preflight("https://app.example")
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in preflight("https://evil.example").headers


# Rate limits.


def test_rate_limit_refuses_with_429_and_retry_after(mocks: MockServers) -> None:
    settings = _settings(mocks, rate_limits=True, rate_limit_ip_burst=3, rate_limit_ip_per_s=0.1)
    with ServedApp(create_app(settings)) as served:
        url = f"{served.url}/web/graphql"
        statuses = [_post(url, {"query": "{ __typename }"}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = _post(url, {"query": "{ __typename }"})
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_inside_a_batch_a_refused_operation_is_rate_limited(mocks: MockServers) -> None:
    settings = _settings(mocks, rate_limits=True, rate_limit_ip_burst=2, rate_limit_ip_per_s=0.1)
    with ServedApp(create_app(settings)) as served:
        results = _post(f"{served.url}/web/graphql", [{"query": "{ __typename }"}] * 3).json()
        codes = [(r.get("errors") or [{}])[0].get("extensions", {}).get("code") for r in results]
        assert codes == [None, None, "RATE_LIMITED"]


def test_rate_limits_hold_across_two_processes_sharing_redis(mocks: MockServers) -> None:
    with redis_server() as redis_url:
        env = {f"BFF_{name.upper()}_URL": url for name, url in mocks.urls.items()} | {
            "BFF_REDIS_URL": redis_url,
            "BFF_RATE_LIMITS": "true",
            "BFF_RATE_LIMIT_IP_BURST": "6",
            "BFF_RATE_LIMIT_IP_PER_S": "0.01",
        }
        with BffProcess(env, client="web") as one, BffProcess(env, client="web") as two:
            statuses = [
                _post(f"{replica.url}/web/graphql", {"query": "{ __typename }"}).status_code
                for _ in range(4)
                for replica in (one, two)
            ]
    assert statuses.count(200) == 6
    assert statuses[6:] == [429, 429]


# Production mode.


@pytest.fixture(scope="module")
def production(mocks: MockServers) -> Iterator[ServedApp]:
    settings = _settings(mocks, env="production", jwt_secret=PRODUCTION_SECRET, rate_limits=False)
    with ServedApp(create_app(settings)) as served:
        yield served


def test_production_refuses_introspection_and_schema_suggestions(production: ServedApp) -> None:
    url = f"{production.url}/web/graphql"
    introspection = _post(url, {"query": "{ __schema { types { name } } }"})
    assert introspection.status_code == 400
    assert "introspection" in introspection.json()["errors"][0]["message"].lower()
    typo = _post(url, {"query": '{ restaurnt(id: "r_1") { name } }'})
    assert "Did you mean" not in typo.text


def test_production_mobile_runs_only_trusted_documents(production: ServedApp) -> None:
    url = f"{production.url}/mobile/graphql"
    refused = _post(url, {"query": "{ __typename }"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_TRUSTED"
    document = operation_document("mobile", "RestaurantMenu")
    ok = _post(url, {"query": document, "variables": {"id": "r_1"}})
    assert ok.status_code == 200
    assert ok.json()["data"]["restaurant"]["name"] == "Golden Dumpling"


def test_production_refuses_hs256_tokens_and_the_token_command(production: ServedApp) -> None:
    from bff.auth import issue_token

    token = issue_token(PRODUCTION_SECRET, "u_1")
    response = _post(
        f"{production.url}/web/graphql",
        {"query": "{ me { id } }"},
        authorization=f"Bearer {token}",
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    command = subprocess.run(
        [sys.executable, "-m", "bff.cli", "token", "u_1"],
        env=os.environ | {"BFF_ENV": "production", "BFF_JWT_SECRET": PRODUCTION_SECRET},
        capture_output=True,
        text=True,
    )
    assert command.returncode == 2
    assert "refused" in command.stderr
    assert command.stdout == ""
