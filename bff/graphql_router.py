"""Strawberry's FastAPI router with GraphQL-over-HTTP media types and status codes, and the
client's own GraphiQL page."""

from __future__ import annotations

from typing import Any, overload

import orjson
from fastapi import Request, Response, WebSocket
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from bff.graphiql import GraphiQLPage
from bff.graphql_media_types import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    is_request_error,
    response_media_type,
)


class ClientGraphQLRouter(GraphQLRouter[Any, None]):
    """Answers ``application/graphql-response+json`` to clients that accept it, with ``400``
    for a request error; ``application/json`` stays ``200`` for every well-formed request."""

    def __init__(self, schema: BaseSchema, *, page: GraphiQLPage | None, **kwargs: Any) -> None:
        super().__init__(schema, graphql_ide="graphiql" if page else None, **kwargs)
        self.page = page

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than the json module on a page of orders; compact, so
        # one SSE data line per event as graphql-sse needs.
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        if self.page is None:  # strawberry asks only when graphql_ide is set
            raise RuntimeError("GraphiQL is off")
        return self.page.response()

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # One entry per executed operation (a batch has several), read back in run().
        outcomes: list[bool] = request.state.__dict__.setdefault("graphql_request_errors", [])
        outcomes.append(is_request_error(result))
        processed = await super().process_result(request, result)
        if outcomes[-1] and _accepts_graphql_response(request):
            # Nothing was executed, so the spec's answer has no "data" entry at all.
            processed.pop("data", None)
        return processed

    @overload
    async def run(
        self, request: Request, context: Any = UNSET, root_value: None = UNSET
    ) -> Response: ...

    @overload
    async def run(
        self, request: WebSocket, context: Any = UNSET, root_value: None = UNSET
    ) -> WebSocket: ...

    async def run(
        self, request: Request | WebSocket, context: Any = UNSET, root_value: None = UNSET
    ) -> Response | WebSocket:
        response = await super().run(request, context=context, root_value=root_value)
        if isinstance(request, Request) and isinstance(response, Response):
            _negotiate(request, response)
        return response


def _negotiate(request: Request, response: Response) -> None:
    """Turn strawberry's ``application/json`` answer into the media type the client asked for."""
    if response.media_type != JSON:
        return  # the IDE, an event stream or a multipart answer
    if not _accepts_graphql_response(request):
        return
    response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
    outcomes: list[bool] = request.state.__dict__.get("graphql_request_errors", [])
    if outcomes == [True] and response.status_code == 200:
        response.status_code = 400


def _accepts_graphql_response(request: Request) -> bool:
    return response_media_type(request.headers.get("accept")) == GRAPHQL_RESPONSE_JSON
