"""The FastAPI app factory: the chosen clients' BFF endpoints over shared downstream clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from bff.auth import TokenVerifier
from bff.disconnect import CancelOnDisconnect
from bff.downstream import open_downstream
from bff.graphiql_static import graphiql_assets_router
from bff.graphql import graphql_router
from bff.health import health_router
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
) -> FastAPI:
    """Build the app; ``http_transport`` lets tests route downstream calls somewhere else."""
    settings = settings or get_settings()
    served = tuple(clients)
    verifier = TokenVerifier(settings.jwt_secret, settings.jwt_algorithms)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = open_downstream(settings, served[0], http_transport)
        app.state.downstream = runtime.downstream
        app.state.order_events = runtime.order_events
        app.state.runtime = runtime
        runtime.start()
        try:
            yield
        finally:
            await runtime.aclose()

    app = FastAPI(
        title="Food delivery BFF",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.add_middleware(CancelOnDisconnect)
    app.add_middleware(RequestIdMiddleware)

    app.include_router(health_router())

    for client in served:
        if client not in CLIENTS:
            raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
        app.include_router(graphql_router(client, settings, verifier), prefix=graphql_path(client))
    if settings.graphiql_enabled:
        app.include_router(graphiql_assets_router())
    return app
