"""The client's GraphQL router with the edge in front of execution: persisted and trusted
documents, rate limits, content types and clear refusals."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, overload

import orjson
from cross_web import HTTPException
from fastapi import Request, Response, WebSocket
from graphql import GraphQLError
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from bff.graphiql import GraphiQLPage
from bff.graphql_media_types import GRAPHQL_RESPONSE_JSON, JSON, response_media_type
from bff.graphql_router import ClientGraphQLRouter
from bff.persisted_queries import PersistedDocuments, PersistedQueryError
from bff.rate_limits import RATE_LIMITED, RateLimited, RateLimiter

# The only request body media type the GraphQL-over-HTTP spec requires, and the one that
# makes a browser send a CORS preflight: no "simple" POST (form, text/plain) gets through.
_ACCEPTED_BODY = "application/json"


class EdgeGraphQLRouter(ClientGraphQLRouter):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        page: GraphiQLPage | None,
        documents: PersistedDocuments,
        rate_limiter: RateLimiter | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, page=page, **kwargs)
        self.documents = documents
        self.rate_limiter = rate_limiter

    async def parse_http_body(self, request: Any) -> Any:
        if request.method == "POST":
            media_type = (request.content_type or "").split(";")[0].strip().lower()
            if media_type != _ACCEPTED_BODY:
                raise HTTPException(
                    415, f"Send GraphQL requests as POST with content-type {_ACCEPTED_BODY}."
                )
        parsed = await super().parse_http_body(request)
        for data in parsed if isinstance(parsed, list) else [parsed]:
            if not isinstance(data.operation_name, str | None):
                raise HTTPException(400, "The operationName must be a string or null.")
        return parsed

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Any,
        root_value: Any,
        sub_response: Any,
    ) -> Any:
        request.state.graphql_batch = isinstance(request_data, list)
        if isinstance(request_data, GraphQLRequestData) and self._get_stream_transport(
            request_data.protocol
        ):
            # A subscription over SSE does not pass through execute_single.
            try:
                request_data = await self._admitted(request, context, request_data)
            except PersistedQueryError as error:
                raise HTTPException(400, error.message) from error
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            request_data = await self._admitted(request, context, request_data)
        except PersistedQueryError as error:
            return _refused(error.message, error.code)
        except RateLimited:
            if not getattr(request.state, "graphql_batch", False):
                raise
            return _refused("Too many requests; slow down.", RATE_LIMITED)
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as error:
            if isinstance(error.__cause__, InvalidOperationTypeError):
                # A mutation over GET: the spec's 405 (it is how CSRF would try to change state).
                raise HTTPException(405, error.reason) from error
            # An unknown operation name or a missing query: a request error like any other.
            return _refused(error.reason, "BAD_REQUEST")

    async def _admitted(
        self, request: Request, context: Any, request_data: GraphQLRequestData
    ) -> GraphQLRequestData:
        if self.rate_limiter is not None:
            user_id = getattr(context, "user_id", None)
            ip = request.client.host if request.client else None
            wait = await self.rate_limiter.take(user_id, ip)
            if wait > 0:
                raise RateLimited(wait)
        query = await self.documents.resolve(request_data.query, request_data.extensions)
        if query is request_data.query:
            return request_data
        return dataclasses.replace(request_data, query=query)

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
        try:
            return await super().run(request, context=context, root_value=root_value)
        except RateLimited as error:
            assert isinstance(request, Request)
            return _too_many_requests(request, error.retry_after_s)


def _refused(message: str, code: str) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def _too_many_requests(request: Request, retry_after_s: float) -> Response:
    retry_after = max(1, math.ceil(retry_after_s))
    media_type = response_media_type(request.headers.get("accept"))
    body = {
        "errors": [
            {
                "message": "Too many requests; retry after the time in Retry-After.",
                "extensions": {"code": RATE_LIMITED, "retryAfter": retry_after},
            }
        ]
    }
    return Response(
        orjson.dumps(body),
        status_code=429,
        media_type=GRAPHQL_RESPONSE_JSON if media_type == GRAPHQL_RESPONSE_JSON else JSON,
        headers={"Retry-After": str(retry_after)},
    )
