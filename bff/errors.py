"""Every error leaves the BFF with a stable code; nothing internal ever reaches an app."""

from __future__ import annotations

import logging

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from schema.context import RequestContext
from schema.errors import ErrorCode, coded_error_for

log = logging.getLogger("bff.errors")


class ErrorCodes(MaskErrors):
    """Maps the exceptions resolvers let through to coded errors and masks unexpected ones."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._coded(error) for error in errors]

    def _coded(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None:
            return error  # Syntax and validation errors: already safe and precise.
        coded = coded_error_for(original)
        extensions: dict[str, object]
        if coded is not None:
            message, extensions = coded.message, dict(coded.extensions or {})
        else:
            request_id = self._request_id()
            log.error(
                "unexpected error at %s (request %s)",
                error.path,
                request_id,
                exc_info=original,
            )
            message = "Internal error; quote the request id when reporting it."
            extensions = {"code": ErrorCode.INTERNAL_SERVER_ERROR.value, "requestId": request_id}
        return GraphQLError(
            message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=extensions,
        )

    def _request_id(self) -> str | None:
        context = self.execution_context.context
        return context.call.request_id if isinstance(context, RequestContext) else None
