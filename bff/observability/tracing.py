"""OpenTelemetry spans of GraphQL operations and their downstream calls.

Spans are made after the operation from what it recorded (its ``CallTrace``), with explicit
start and end times, so nothing is added to the resolvers' or the transport's path. Ids line up
with what went over the wire: the operation span continues the caller's ``traceparent`` (or
the trace id the BFF made up and sent downstream), and each call's span has the span id that
the call's own ``traceparent`` carried.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.id_generator import IdGenerator, RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode

from bff.settings import Settings
from clients._trace import CallRecord

TRACER_NAME = "bff"

_preset_trace_id: ContextVar[int | None] = ContextVar("preset_trace_id", default=None)
_preset_span_id: ContextVar[int | None] = ContextVar("preset_span_id", default=None)


class PresetIdGenerator(IdGenerator):
    """Random ids, except where the BFF already chose one (and sent it downstream)."""

    def __init__(self) -> None:
        self._random = RandomIdGenerator()

    def generate_span_id(self) -> int:
        return _preset_span_id.get() or self._random.generate_span_id()

    def generate_trace_id(self) -> int:
        return _preset_trace_id.get() or self._random.generate_trace_id()


@contextmanager
def _preset(trace_id: int | None = None, span_id: int | None = None) -> Iterator[None]:
    trace_token = _preset_trace_id.set(trace_id)
    span_token = _preset_span_id.set(span_id)
    try:
        yield
    finally:
        _preset_span_id.reset(span_token)
        _preset_trace_id.reset(trace_token)


def build_tracer_provider(
    settings: Settings, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """The provider for ``BFF_OTEL_EXPORTER``; ``None`` (no spans at all) for ``none``.

    ``exporter`` replaces the configured one and is flushed span by span (for tests).
    """
    if exporter is None and settings.otel_exporter == "none":
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.otel_sample_ratio)),
        id_generator=PresetIdGenerator(),
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.otel_exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=str(settings.otel_endpoint)))
        )
    return provider


@dataclass(slots=True)
class OperationTiming:
    """The wall clock and the performance counter at one instant, to date recorded calls."""

    wall_ns: int
    perf_s: float

    @classmethod
    def now(cls) -> OperationTiming:
        return cls(time.time_ns(), time.perf_counter())

    def wall_ns_of(self, perf_s: float) -> int:
        return self.wall_ns + int((perf_s - self.perf_s) * 1e9)


@dataclass(slots=True)
class OperationSpan:
    """What the operation's span says; its calls become its children."""

    client: str
    operation: str  # the bounded label: a known operation or "other"
    operation_name: str | None
    operation_type: str | None
    request_id: str
    trace_id: str
    parent_span_id: str | None
    error_codes: Sequence[str]
    user_hash: str | None = None


class OperationTracer:
    """Turns a finished operation and its recorded calls into spans."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer(TRACER_NAME)

    def emit(
        self,
        op: OperationSpan,
        started: OperationTiming,
        ended_ns: int,
        calls: Sequence[CallRecord],
    ) -> None:
        # The caller's span, or nothing: a root span whose trace id is the one sent downstream.
        parent = Context()
        if op.parent_span_id is not None:
            parent = trace.set_span_in_context(NonRecordingSpan(_remote_parent(op)))
        attributes: dict[str, str | int | Sequence[str]] = {
            "bff.client": op.client,
            "bff.request_id": op.request_id,
            "bff.downstream_calls": len(calls),
        }
        if op.operation_name is not None:
            attributes["graphql.operation.name"] = op.operation_name[:200]
        if op.operation_type is not None:
            attributes["graphql.operation.type"] = op.operation_type
        if op.error_codes:
            attributes["bff.error_codes"] = list(op.error_codes)
        if op.user_hash is not None:
            attributes["bff.user_hash"] = op.user_hash
        preset_trace = None if op.parent_span_id else int(op.trace_id, 16)
        with _preset(trace_id=preset_trace):
            span = self.tracer.start_span(
                f"{op.client} {op.operation}",
                context=parent,
                kind=SpanKind.SERVER,
                attributes=attributes,
                start_time=started.wall_ns,
            )
        if op.error_codes:
            span.set_status(Status(StatusCode.ERROR, ", ".join(sorted(set(op.error_codes)))))
        context = trace.set_span_in_context(span)
        for call in calls:
            self._call_span(call, context, started)
        span.end(end_time=ended_ns)

    def _call_span(self, call: CallRecord, context: Context, started: OperationTiming) -> None:
        begin = started.wall_ns_of(call.started_s)
        attributes: dict[str, str | int] = {
            "bff.service": call.service,
            "bff.endpoint": call.route,
            "bff.cache": call.cache.value,
            "bff.retries": call.retries,
        }
        method = call.route.split(" ", 1)[0]
        if method.isupper():
            attributes["http.request.method"] = method
        if call.batch_size is not None:
            attributes["bff.batch_size"] = call.batch_size
        if call.status is not None:
            attributes["http.response.status_code"] = call.status
        if call.error is not None:
            attributes["error.type"] = call.error
        span_id = int(call.span_id, 16) if call.span_id else None
        with _preset(span_id=span_id):
            span = self.tracer.start_span(
                f"{call.service} {call.route}",
                context=context,
                kind=SpanKind.CLIENT,
                attributes=attributes,
                start_time=begin,
            )
        if call.error is not None:
            span.set_status(Status(StatusCode.ERROR, call.error))
        span.end(end_time=begin + int(call.duration_ms * 1e6))


def _remote_parent(op: OperationSpan) -> SpanContext:
    return SpanContext(
        trace_id=int(op.trace_id, 16),
        span_id=int(op.parent_span_id or "0", 16),
        is_remote=True,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
