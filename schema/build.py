"""Build each client's strawberry schema from its root types."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.common.scalars import SCALAR_OVERRIDES
from schema.common.tracking import Subscription
from schema.execution import ClientExecutionContext
from schema.mobile.mutation import Mutation as MobileMutation
from schema.mobile.query import Query as MobileQuery
from schema.plain_fields import read_plain_fields_directly
from schema.web.mutation import Mutation as WebMutation
from schema.web.query import Query as WebQuery

Client = Literal["mobile", "web"]
CLIENTS: tuple[Client, ...] = ("mobile", "web")

_ROOTS: dict[str, tuple[type, type]] = {
    "mobile": (MobileQuery, MobileMutation),
    "web": (WebQuery, WebMutation),
}


class ClientSchema(strawberry.Schema):
    """A client's schema; errors are logged once, where they are coded (see ``bff.errors``)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors (NOT_FOUND, UNAUTHENTICATED, …) are answers, not incidents.
        return None


def build_schema(
    client: str, extensions: Iterable[type[SchemaExtension] | Callable[[], SchemaExtension]] = ()
) -> strawberry.Schema:
    query, mutation = _ROOTS[client]
    schema = ClientSchema(
        query=query,
        mutation=mutation,
        subscription=Subscription,
        extensions=list(extensions),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=ClientExecutionContext,
    )
    read_plain_fields_directly(schema._schema)
    return schema
