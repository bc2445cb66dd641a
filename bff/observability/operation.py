"""The schema extension that observes each GraphQL operation: its metrics, its spans and its
share of the request's log line. Sync hooks only, and no per-field hook (see the design)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from bff.observability import metrics
from bff.observability.logs import OperationObservation, RequestObservation, user_hash
from bff.observability.tracing import OperationSpan, OperationTiming, OperationTracer
from clients._trace import CallRecord
from schema.context import RequestContext

log = logging.getLogger("bff.observability")


class OperationObserver(SchemaExtension):
    """Records the operation once it has run; never fails the operation itself."""

    def __init__(
        self, client: str, *, tracer: OperationTracer | None, metrics_enabled: bool
    ) -> None:
        self.client = client
        self.tracer = tracer
        self.metrics_enabled = metrics_enabled

    def on_operation(self) -> Iterator[None]:
        started = OperationTiming.now()
        yield
        try:
            self._observe(started)
        except Exception:  # observability must never cost the app its answer
            log.exception("could not record the operation")

    def _observe(self, started: OperationTiming) -> None:
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, RequestContext):
            return
        call = context.call
        calls: list[CallRecord] = list(call.trace.calls) if call.trace is not None else []
        name = execution.operation_name
        kind = _operation_type(execution)
        label = metrics.operation_label(self.client, name)
        codes = [_code(error) for error in _errors(execution)]
        duration_s = time.perf_counter() - started.perf_s
        hashed = user_hash(context.user_id)
        if self.metrics_enabled:
            metrics.record_operation(
                self.client, label, None if kind == "subscription" else duration_s, codes, calls
            )
        if self.tracer is not None:
            span = OperationSpan(
                client=self.client,
                operation=label,
                operation_name=name,
                operation_type=kind,
                request_id=call.request_id,
                trace_id=call.trace_id,
                parent_span_id=call.parent_span_id,
                error_codes=codes,
                user_hash=hashed,
            )
            self.tracer.emit(span, started, started.wall_ns + int(duration_s * 1e9), calls)
        observation = _request_observation(context)
        if observation is not None:
            network = call.trace.network_calls if call.trace is not None else 0
            observation.operations.append(
                OperationObservation(
                    client=self.client,
                    operation=name[:100] if name else None,
                    operation_type=kind,
                    user_hash=hashed,
                    downstream_calls=len(calls),
                    network_calls=network,
                    error_codes=sorted(set(codes)),
                )
            )


def _operation_type(execution: Any) -> str | None:
    try:
        return str(execution.operation_type.value)
    except Exception:  # no document (a parse error) or no such operation
        return None


def _errors(execution: Any) -> list[GraphQLError]:
    result = execution.result
    errors = getattr(result, "errors", None) if result is not None else None
    if errors is None:
        errors = execution.pre_execution_errors
    return list(errors or [])


def _code(error: GraphQLError) -> str:
    return metrics.error_code_label((error.extensions or {}).get("code"))


def _request_observation(context: RequestContext) -> RequestObservation | None:
    # strawberry sets the Starlette request on the context; the log middleware left the
    # observation in its scope's state.
    scope = getattr(getattr(context, "request", None), "scope", None)
    state = scope.get("state") if isinstance(scope, dict) else None
    if not isinstance(state, dict):
        return None
    observation = state.get("observation")
    return observation if isinstance(observation, RequestObservation) else None
