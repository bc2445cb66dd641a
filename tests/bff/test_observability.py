"""The pieces of observability on their own: labels, scrape-time figures, log formats, settings."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

from prometheus_client import CollectorRegistry

from bff.downstream import open_downstream
from bff.observability import build_tracer_provider, configure_logging
from bff.observability.logs import FIELDS, JsonFormatter, TextFormatter, user_hash
from bff.observability.metrics import (
    REGISTRY,
    RuntimeCollector,
    error_code_label,
    operation_label,
    record_rate_limited,
)
from bff.settings import Settings
from clients._breaker import BreakerState


def test_operation_labels_are_known_operations_or_other() -> None:
    assert operation_label("mobile", "MyOrders") == "MyOrders"
    assert operation_label("web", "OrderHistory") == "OrderHistory"
    assert operation_label("web", "MyOrders") == "other"  # a mobile operation
    assert operation_label("mobile", "Anything") == "other"
    assert operation_label("mobile", None) == "other"


def test_error_code_labels_are_bounded() -> None:
    assert error_code_label("FORBIDDEN") == "FORBIDDEN"
    assert error_code_label(None) == "GRAPHQL_VALIDATION_FAILED"
    assert error_code_label("not a code; " * 10) == "other"


def test_rate_limit_refusals_are_counted_per_client_and_limit() -> None:
    def value() -> float:
        sample = REGISTRY.get_sample_value(
            "bff_rate_limited_total", {"client": "web", "limit": "ip"}
        )
        return sample or 0.0

    before = value()
    record_rate_limited("web", "ip")
    record_rate_limited("web", "ip")
    assert value() - before == 2


async def test_cache_breaker_and_subscription_figures_are_read_when_scraped() -> None:
    runtime = open_downstream(Settings(), "mobile")
    try:
        breaker = runtime.downstream.transport("courier").breaker
        assert breaker is not None
        for _ in range(breaker.config.min_calls):
            breaker.record(False)
        assert breaker.state is BreakerState.OPEN
        cache = runtime.downstream.transport("menu").cache
        assert cache is not None
        cache.stats.hits = 7
        registry = CollectorRegistry()
        state = SimpleNamespace(downstream=runtime.downstream, order_events=runtime.order_events)
        registry.register(RuntimeCollector(state))

        def sample(name: str, **labels: str) -> float | None:
            return registry.get_sample_value(name, labels)

        assert sample("bff_http_cache_events_total", service="menu", event="hits") == 7
        assert sample("bff_breaker_state", service="courier", state="open") == 1
        assert sample("bff_breaker_state", service="courier", state="closed") == 0
        assert sample("bff_breaker_state", service="menu", state="closed") == 1
        assert sample("bff_breaker_opened_total", service="courier") == 1
        assert sample("bff_subscriptions_active") == 0
    finally:
        await runtime.aclose()


def test_before_start_only_the_subscription_gauge_is_there() -> None:
    registry = CollectorRegistry()
    registry.register(RuntimeCollector(SimpleNamespace()))

    assert registry.get_sample_value("bff_subscriptions_active") == 0
    assert (
        registry.get_sample_value("bff_breaker_state", {"service": "menu", "state": "closed"})
        is None
    )


def _record(fields: dict[str, object]) -> logging.LogRecord:
    record = logging.LogRecord("bff.request", logging.INFO, __file__, 1, "POST %s", ("/x",), None)
    setattr(record, FIELDS, fields)
    return record


def test_json_lines_hold_the_message_and_the_fields() -> None:
    line = JsonFormatter().format(_record({"client": "web", "status": 200}))

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "POST /x"
    assert entry["level"] == "info" and entry["logger"] == "bff.request"
    assert entry["client"] == "web" and entry["status"] == 200
    assert entry["ts"].endswith("+00:00")


def test_text_lines_are_for_people() -> None:
    line = TextFormatter().format(_record({"client": "web", "error_codes": [], "user": None}))

    assert "POST /x" in line and "client=web" in line
    assert "error_codes" not in line and "user=" not in line


def test_user_ids_are_hashed() -> None:
    assert user_hash(None) is None
    assert user_hash("u_1") == user_hash("u_1") != user_hash("u_2")
    assert len(user_hash("u_1") or "") == 16


def test_downstream_calls_are_not_logged_one_by_one() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("httpx").level
    try:
        configure_logging(Settings(log_level="info"))
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
        assert logging.getLogger("bff.request").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        logging.getLogger("httpx").setLevel(saved[2])


def test_log_format_follows_the_environment_unless_set() -> None:
    assert Settings().effective_log_format == "text"
    assert Settings(log_format="json").effective_log_format == "json"
    production = Settings(env="production", jwt_secret="x" * 40, jwt_allow_hs256_in_production=True)
    assert production.effective_log_format == "json"


def test_no_exporter_means_no_tracer_provider() -> None:
    assert build_tracer_provider(Settings()) is None
    assert build_tracer_provider(Settings(otel_exporter="console")) is not None
