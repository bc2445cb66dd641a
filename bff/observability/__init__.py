"""Traces, metrics, logs and the development fan-out view of the BFFs (README, "Operations")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from strawberry.extensions import SchemaExtension

from bff.observability.fanout import Fanout
from bff.observability.logs import RequestLogMiddleware, configure_logging
from bff.observability.metrics import metrics_router, record_rate_limited
from bff.observability.operation import OperationObserver
from bff.observability.tracing import OperationTracer, build_tracer_provider
from bff.settings import Settings

__all__ = [
    "Observability",
    "build_tracer_provider",
    "configure_logging",
    "record_rate_limited",
]

ExtensionFactory = Callable[[], SchemaExtension]


@dataclass
class Observability:
    """What one app observes with: its settings and, when tracing is on, its tracer."""

    settings: Settings
    tracer: OperationTracer | None = None

    @classmethod
    def build(
        cls, settings: Settings, tracer_provider: TracerProvider | None = None
    ) -> Observability:
        provider = tracer_provider or build_tracer_provider(settings)
        return cls(settings, OperationTracer(provider) if provider is not None else None)

    def extensions(self, client: str) -> list[ExtensionFactory]:
        """The schema extensions of a client's endpoint, to run before error masking exits."""
        factories: list[ExtensionFactory] = [
            partial(
                OperationObserver,
                client,
                tracer=self.tracer,
                metrics_enabled=self.settings.metrics_enabled,
            )
        ]
        if not self.settings.is_production:
            factories.append(partial(Fanout, always=self.settings.fanout))
        return factories

    def install(self, app: FastAPI) -> None:
        """``/metrics`` and the request log; call after the app's other middleware."""
        if self.settings.metrics_enabled:
            app.include_router(metrics_router(app.state))
        app.add_middleware(RequestLogMiddleware)
