"""One GraphQL endpoint per client: its schema, its edge extensions and its request context."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import strawberry
from starlette.requests import HTTPConnection
from strawberry.extensions import ParserCache, SchemaExtension
from strawberry.subscriptions import (
    GRAPHQL_SSE_PROTOCOL,
    GRAPHQL_TRANSPORT_WS_PROTOCOL,
    GRAPHQL_WS_PROTOCOL,
)

from bff.auth import TokenVerifier
from bff.edge import Edge
from bff.edge_router import EdgeGraphQLRouter
from bff.errors import ErrorCodes
from bff.graphiql import graphiql_page
from bff.graphql_router import ClientGraphQLRouter
from bff.locale import negotiate_locale
from bff.release_after_response import keep_until_sent
from bff.response_extensions import ServedStale
from bff.settings import Settings
from bff.tracing import parent_span_id_from, request_id_from, trace_id_from
from bff.validation_cache import text_validation_cache
from clients import CallContext, CallTrace, Downstream
from schema.build import build_schema
from schema.context import RequestContext
from schema.loaders import Loaders

CACHED_DOCUMENTS = 512

ContextGetter = Callable[[HTTPConnection], Coroutine[Any, Any, RequestContext]]


def client_schema(
    client: str,
    observers: Sequence[Callable[[], SchemaExtension]] = (),
    limits: Sequence[Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """The client's schema with the extensions every request goes through.

    ``observers`` (observability) come first, so that they see the errors as masked.
    """
    return build_schema(
        client,
        # Factories: a fresh extension per request; the parse and validation caches behind
        # them are shared process-wide, keyed by size.
        extensions=[
            *observers,
            lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
            text_validation_cache(CACHED_DOCUMENTS),
            ErrorCodes,
            ServedStale,
            # Operation limits (bff.edge): after the validation cache, whose rules they extend.
            *limits,
        ],
    )


def context_getter(client: str, settings: Settings, verifier: TokenVerifier) -> ContextGetter:
    async def get_context(connection: HTTPConnection) -> RequestContext:
        headers = connection.headers
        await verifier.prepare(headers.get("authorization"))  # a JWKS key rotated in
        identity = verifier.identify(headers.get("authorization"))
        request_id = getattr(connection.state, "request_id", None) or request_id_from(
            headers.get("x-request-id")
        )
        # A WebSocket lives for many operations: no single deadline or call trace fits it.
        is_http = connection.scope["type"] == "http"
        deadline = asyncio.get_running_loop().time() + settings.request_deadline_s
        traceparent = headers.get("traceparent")
        call = CallContext(
            client=client,
            request_id=request_id,
            trace_id=trace_id_from(traceparent),
            parent_span_id=parent_span_id_from(traceparent),
            user_id=identity.user_id,
            deadline=deadline if is_http else None,
            trace=CallTrace() if is_http else None,
        )
        state = connection.app.state
        downstream: Downstream = state.downstream
        context = RequestContext(
            call=call,
            loaders=Loaders(downstream, call),
            locale=negotiate_locale(headers.get("accept-language"), settings.default_locale),
            user_id=identity.user_id,
            auth_error=identity.error,
            identify=lambda authorization: verifier.identify(authorization).user_id,
            order_events=state.order_events,
        )
        keep_until_sent(connection, context)
        return context

    return get_context


def graphql_router(
    client: str,
    settings: Settings,
    verifier: TokenVerifier,
    observers: Sequence[Callable[[], SchemaExtension]] = (),
    edge: Edge | None = None,
) -> ClientGraphQLRouter:
    if edge is not None:
        return edge_graphql_router(client, settings, verifier, observers, edge)
    return ClientGraphQLRouter(
        client_schema(client, observers),
        page=graphiql_page(client, settings),
        path="",
        context_getter=context_getter(client, settings, verifier),
        subscription_protocols=(
            GRAPHQL_TRANSPORT_WS_PROTOCOL,
            GRAPHQL_WS_PROTOCOL,
            GRAPHQL_SSE_PROTOCOL,
        ),
    )


def edge_graphql_router(
    client: str,
    settings: Settings,
    verifier: TokenVerifier,
    observers: Sequence[Callable[[], SchemaExtension]],
    edge: Edge,
) -> EdgeGraphQLRouter:
    schema = client_schema(client, observers, edge.extensions(client))
    schema.config.batching_config = {"max_operations": settings.max_batch_operations}
    return EdgeGraphQLRouter(
        schema,
        page=graphiql_page(client, settings),
        documents=edge.documents(client),
        rate_limiter=edge.rate_limiter,
        path="",
        context_getter=context_getter(client, settings, verifier),
        subscription_protocols=(
            GRAPHQL_TRANSPORT_WS_PROTOCOL,
            GRAPHQL_WS_PROTOCOL,
            GRAPHQL_SSE_PROTOCOL,
        ),
    )
