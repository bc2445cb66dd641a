"""The FastAPI app factory: the chosen clients' BFF endpoints over shared downstream clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bff.auth import TokenVerifier
from bff.graphql import graphql_router
from bff.order_events import OrderEventHub
from bff.settings import Settings, get_settings
from bff.tracing import RequestIdMiddleware
from clients import SERVICES, CallContext, Downstream, TransportConfig
from clients.events import EventStream
from schema.build import CLIENTS


def transport_configs(settings: Settings) -> dict[str, TransportConfig]:
    return {
        service: TransportConfig(
            base_url=settings.base_url(service),
            connect_timeout_s=settings.connect_timeout_s,
            read_timeout_s=settings.read_timeout_s,
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_keepalive_connections,
        )
        for service in SERVICES
    }


def order_event_hub(
    configs: dict[str, TransportConfig],
    client: str,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> OrderEventHub:
    """Consumers of the streams that tracking needs; calls say which client they serve."""
    ctx = CallContext(client=client)
    return OrderEventHub(
        [
            EventStream(service, configs[service], ctx, http_transport=http_transport)
            for service in ("order", "courier")
        ]
    )


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
        configs = transport_configs(settings)
        downstream = Downstream.build(configs, http_transport=http_transport)
        hub = order_event_hub(configs, served[0], http_transport)
        app.state.downstream = downstream
        app.state.order_events = hub
        hub.start()
        try:
            yield
        finally:
            await hub.stop()
            await downstream.aclose()

    app = FastAPI(
        title="Food delivery BFF",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.add_middleware(RequestIdMiddleware)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    for client in served:
        if client not in CLIENTS:
            raise ValueError(f"unknown client {client!r}; expected one of {', '.join(CLIENTS)}")
        app.include_router(graphql_router(client, settings, verifier), prefix=graphql_path(client))
    return app
