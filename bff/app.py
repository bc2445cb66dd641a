"""The FastAPI app factory: the chosen clients' BFF endpoints over shared downstream clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from bff.disconnect import CancelOnDisconnect
from bff.downstream import open_downstream
from bff.edge import Edge
from bff.gc_tuning import tune_garbage_collector
from bff.graphiql_static import graphiql_assets_router
from bff.graphql import graphql_router
from bff.health import health_router
from bff.observability import Observability
from bff.release_after_response import ReleaseAfterResponse
from bff.request_hygiene import add_request_hygiene
from bff.settings import Settings, get_settings
from bff.tracing import RequestIdMiddleware
from schema.build import CLIENTS


def graphql_path(client: str) -> str:
    return f"/{client}/graphql"


def create_app(
    settings: Settings | None = None,
    *,
    clients: Iterable[str] = CLIENTS,
    http_transport: httpx.AsyncBaseTransport | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build the app; ``http_transport`` lets tests route downstream calls somewhere else, and
    ``tracer_provider`` (from ``build_tracer_provider``) replaces the configured exporter."""
    settings = settings or get_settings()
    observability = Observability.build(settings, tracer_provider)
    served = tuple(clients)
    edge = Edge.from_settings(settings)
    verifier = edge.verifier

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = open_downstream(settings, served[0], http_transport)
        app.state.downstream = runtime.downstream
        app.state.order_events = runtime.order_events
        app.state.runtime = runtime
        runtime.start()
        await edge.start()
        tune_garbage_collector(settings.gc_gen0_threshold)
        try:
            yield
        finally:
            await runtime.aclose()
            await edge.aclose()

    app = FastAPI(
        title="Food delivery BFF",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.add_middleware(ReleaseAfterResponse)
    app.add_middleware(CancelOnDisconnect)
    app.add_middleware(RequestIdMiddleware)
    add_request_hygiene(app, settings)
    observability.install(app)

    app.include_router(health_router())

    for client in served:
        if client not in CLIENTS:
            raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
        app.include_router(
            graphql_router(client, settings, verifier, observability.extensions(client), edge=edge),
            prefix=graphql_path(client),
        )
    if settings.graphiql_enabled:
        app.include_router(graphiql_assets_router())
    return app
