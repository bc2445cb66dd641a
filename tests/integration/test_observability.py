"""Traces, metrics, the request log line and ``extensions.fanout``, end to end against the mocks."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from bff.app import create_app
from bff.observability import build_tracer_provider
from bff.observability.logs import REQUEST_LOGGER, JsonFormatter, user_hash
from bff.settings import Settings
from mocks.runner import MockServers
from tests.support.downstream import MockAdmin
from tests.support.graphql import GraphQLClient
from tests.support.served import ServedApp

INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-01"
ORDERS_PAGE = "order GET /v1/orders?customer_id"  # route templates, never ids
MY_ORDERS_CALLS = {
    ORDERS_PAGE,
    "menu GET /v1/restaurants",
    "menu GET /v1/menu-items",
    "courier GET /v1/deliveries",
    "courier GET /v1/couriers",
}


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards to the mocks and notes each call's ``traceparent`` (event streams aside)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.traceparents: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/v1/events"):
            self.traceparents.append(request.headers["traceparent"])
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
def recording() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture(scope="module")
def traced(
    mocks: MockServers, exporter: InMemorySpanExporter, recording: RecordingTransport
) -> Iterator[ServedApp]:
    settings = Settings(
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        cache_enabled=False,
    )
    provider = build_tracer_provider(settings, exporter)
    app = create_app(settings, tracer_provider=provider, http_transport=recording)
    with ServedApp(app) as served:
        yield served


@pytest.fixture
def mobile(traced: ServedApp, exporter: InMemorySpanExporter) -> GraphQLClient:
    exporter.clear()
    return GraphQLClient(traced.url, "mobile")


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


def _operation_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


def test_my_orders_is_one_operation_span_with_exactly_its_calls_as_children(
    mobile: GraphQLClient, exporter: InMemorySpanExporter, recording: RecordingTransport
) -> None:
    recording.traceparents.clear()
    result = mobile.operation(
        "MyOrders", {"first": 20}, user="u_1", headers={"traceparent": TRACEPARENT}
    )
    assert result.errors == []

    spans = exporter.get_finished_spans()
    [operation] = _operation_spans(exporter)
    assert operation.name == "mobile MyOrders"
    assert operation.context is not None and operation.parent is not None
    # It continues the caller's trace, as a child of the caller's span.
    assert _hex(operation.context.trace_id, 32) == INCOMING_TRACE
    assert _hex(operation.parent.span_id, 16) == INCOMING_SPAN
    assert operation.attributes is not None
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["bff.downstream_calls"] == 5

    children = [s for s in spans if s is not operation]
    assert len(children) == 5
    assert {s.name for s in children} == MY_ORDERS_CALLS
    for child in children:
        assert child.kind is SpanKind.CLIENT
        assert child.parent is not None and child.context is not None
        assert child.parent.span_id == operation.context.span_id
        assert child.context.trace_id == operation.context.trace_id
        assert child.start_time is not None and operation.start_time is not None
        assert child.end_time is not None and operation.end_time is not None
        assert operation.start_time <= child.start_time <= child.end_time <= operation.end_time
        attributes = child.attributes or {}
        assert attributes["bff.cache"] == "miss"
        assert attributes["bff.retries"] == 0
        assert attributes["http.response.status_code"] == 200
    by_name = {s.name: s.attributes or {} for s in children}
    assert "bff.batch_size" not in by_name[ORDERS_PAGE]
    assert by_name["courier GET /v1/deliveries"]["bff.batch_size"] == 20

    # What went over the wire names the same spans: same trace, each call's own span id.
    sent = {tuple(tp.split("-")[1:3]) for tp in recording.traceparents}
    assert sent == {
        (INCOMING_TRACE, _hex(s.context.span_id, 16)) for s in children if s.context is not None
    }


def test_without_a_traceparent_the_operation_starts_the_trace_sent_downstream(
    mobile: GraphQLClient, exporter: InMemorySpanExporter, recording: RecordingTransport
) -> None:
    recording.traceparents.clear()
    mobile.operation("RestaurantMenu", {"id": "r_1"})

    [operation] = _operation_spans(exporter)
    assert operation.name == "mobile RestaurantMenu"
    assert operation.parent is None and operation.context is not None
    trace_id = _hex(operation.context.trace_id, 32)
    assert recording.traceparents
    assert {tp.split("-")[1] for tp in recording.traceparents} == {trace_id}


def test_an_unknown_operation_name_is_grouped_in_the_span_name(
    mobile: GraphQLClient, exporter: InMemorySpanExporter
) -> None:
    mobile.query("query Whatever { __typename }")

    [operation] = _operation_spans(exporter)
    assert operation.name == "mobile other"
    assert (operation.attributes or {})["graphql.operation.name"] == "Whatever"


def test_fanout_of_my_orders_lists_exactly_its_five_calls_in_order(
    mobile: GraphQLClient, admin: MockAdmin
) -> None:
    result = mobile.operation("MyOrders", {"first": 20}, user="u_1", headers={"X-BFF-Fanout": "1"})

    assert result.errors == []
    fanout = result.body["extensions"]["fanout"]
    calls = fanout["calls"]
    assert fanout["count"] == 5 and fanout["networkCalls"] == 5
    names = [f"{c['service']} {c['endpoint']}" for c in calls]
    assert set(names) == MY_ORDERS_CALLS
    # What the mocks saw: one call to each endpoint.
    assert admin.calls() == {name.split("?")[0]: 1 for name in MY_ORDERS_CALLS}
    # Three levels: the orders page, then what hangs off the orders, then the couriers.
    assert names[0] == ORDERS_PAGE
    # The deliveries first among the second level: the couriers wait for them.
    assert names[1] == "courier GET /v1/deliveries"
    assert set(names[2:4]) == {"menu GET /v1/restaurants", "menu GET /v1/menu-items"}
    assert names[4] == "courier GET /v1/couriers"
    assert [c["startMs"] for c in calls] == sorted(c["startMs"] for c in calls)

    nodes = [edge["node"] for edge in result.data["me"]["orders"]["edges"]]
    restaurants = {n["restaurant"]["id"] for n in nodes}
    batch = {f"{c['service']} {c['endpoint']}": c["batchSize"] for c in calls}
    assert batch[ORDERS_PAGE] is None
    assert batch["menu GET /v1/restaurants"] == len(restaurants)
    assert batch["courier GET /v1/deliveries"] == 20
    assert batch["menu GET /v1/menu-items"] >= 1 and batch["courier GET /v1/couriers"] >= 1
    for call in calls:
        assert call["cache"] == "miss"
        assert call["status"] == 200
        assert call["retries"] == 0
        assert call["durationMs"] >= 0


def test_fanout_is_only_there_when_asked_for(mobile: GraphQLClient) -> None:
    result = mobile.operation("MyOrders", {"first": 5}, user="u_1")

    assert "fanout" not in (result.body.get("extensions") or {})


def _samples(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"{url}/metrics").raise_for_status().text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _delta(
    before: dict[tuple[str, tuple[tuple[str, str], ...]], float],
    after: dict[tuple[str, tuple[tuple[str, str], ...]], float],
    name: str,
    **labels: str,
) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


def test_metrics_after_a_scripted_set_of_requests(traced: ServedApp, mobile: GraphQLClient) -> None:
    before = _samples(traced.url)
    mobile.operation("MyOrders", {"first": 20}, user="u_1")
    mobile.operation("MyOrders", {"first": 20}, user="u_1")
    mobile.operation("MyOrders", {"first": 500}, user="u_1")  # BAD_USER_INPUT
    mobile.operation("MyOrders", {"first": 5})  # anonymous: UNAUTHENTICATED
    mobile.query("query Mine { __typename }")  # not a known operation
    mobile.query("{ nope }")  # fails validation
    after = _samples(traced.url)

    def delta(name: str, **labels: str) -> float:
        return _delta(before, after, name, **labels)

    ok = {"client": "mobile", "operation": "MyOrders"}
    assert delta("bff_graphql_requests_total", **ok, outcome="ok") == 2
    assert delta("bff_graphql_requests_total", **ok, outcome="errors") == 2
    assert delta("bff_graphql_request_duration_seconds_count", **ok) == 4
    assert delta("bff_graphql_errors_total", **ok, code="BAD_USER_INPUT") == 1
    assert delta("bff_graphql_errors_total", **ok, code="UNAUTHENTICATED") == 1
    other = {"client": "mobile", "operation": "other"}
    assert delta("bff_graphql_requests_total", **other, outcome="ok") == 1
    assert delta("bff_graphql_errors_total", **other, code="GRAPHQL_VALIDATION_FAILED") == 1
    # Two full MyOrders: five calls each, every one a miss (the cache is off).
    for name in MY_ORDERS_CALLS:
        service, endpoint = name.split(" ", 1)
        call = {"service": service, "endpoint": endpoint}
        assert delta("bff_downstream_calls_total", **call, cache="miss") == 2
        assert delta("bff_downstream_call_duration_seconds_count", **call) == 2
    deliveries = {"service": "courier", "endpoint": "GET /v1/deliveries"}
    assert delta("bff_dataloader_batch_size_count", **deliveries) == 2
    assert delta("bff_dataloader_batch_size_sum", **deliveries) == 40
    # Read from the running app when scraped.
    for service in ("menu", "order", "courier"):
        assert after[("bff_breaker_state", (("service", service), ("state", "closed")))] == 1
        assert after[("bff_breaker_state", (("service", service), ("state", "open")))] == 0
    assert after[("bff_subscriptions_active", ())] == 0
    # Endpoints are route templates: no label holds an id (o_1, r_12, …).
    assert not [labels for _, labels in after if re.search(r"/[a-z]_\d", str(labels))]


def test_a_request_logs_one_json_line_with_its_fields(
    mobile: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = mobile.http.post(
        "/mobile/graphql",
        json={"query": "query MyOrders { me { orders(first: 500) { edges { node { id } } } } }"},
        headers={
            "Authorization": f"Bearer {_token('u_1')}",
            "X-Request-Id": "req-observed-1",
        },
    )
    assert response.status_code == 200

    [record] = [r for r in caplog.records if r.name == REQUEST_LOGGER]
    line: dict[str, Any] = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info"
    assert line["request_id"] == "req-observed-1"
    assert line["client"] == "mobile"
    assert line["operation"] == "MyOrders"
    assert line["operation_type"] == "query"
    assert line["user"] == user_hash("u_1") and "u_1" not in json.dumps(line)
    assert len(line["user"]) == 16
    assert line["status"] == 200
    assert line["method"] == "POST" and line["path"] == "/mobile/graphql"
    assert line["duration_ms"] > 0
    assert line["downstream_calls"] == 0  # refused before any call
    assert line["error_codes"] == ["BAD_USER_INPUT"]


def test_the_log_line_counts_the_downstream_calls(
    mobile: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    mobile.operation("MyOrders", {"first": 20}, user="u_1")

    [record] = [r for r in caplog.records if r.name == REQUEST_LOGGER]
    line = json.loads(JsonFormatter().format(record))
    assert line["downstream_calls"] == 5 and line["network_calls"] == 5
    assert line["error_codes"] == []


def test_metrics_and_health_checks_are_not_logged(
    traced: ServedApp, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    httpx.get(f"{traced.url}/metrics").raise_for_status()
    httpx.get(f"{traced.url}/healthz").raise_for_status()

    assert [r for r in caplog.records if r.name == REQUEST_LOGGER] == []


def _token(user: str) -> str:
    from tests.support.graphql import token_for

    return token_for(user)
