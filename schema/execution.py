"""The execution context of the client schemas: the common cases take a short path.

For every field, graphql-core builds a resolve-info object (and the list of its nodes)
before calling the resolver, then completes the value. A plain leaf field (a scalar or enum,
or a list of them, read from an attribute) needs neither: its value is read and completed
directly. Measured on ``MyOrders``, building those objects was about a sixth of the CPU.
Objects whose selected fields are all plain are completed by a plan in one step
(``schema.completion_plans``). Everything else, errors included, goes through graphql-core
unchanged.
"""

from __future__ import annotations

import weakref
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLResolveInfo,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Path
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.completion_plans import CompletionPlans, without_directives

PLAIN_LEAF = "_plain_leaf_attribute"


class ClientExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core's executor holds its own bound methods (its resolve-info helpers), a
        # cycle that keeps the executor and the whole request it refers to alive until the
        # cyclic garbage collector runs. Through weak references instead, a request's
        # objects are freed by reference counting as soon as it is answered.
        this = weakref.ref(self)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda *args: _alive(this).gather_async_work(*args),
            track=lambda *args: _alive(this).track_async_work(*args),
        )
        self._completion_plans = CompletionPlans(
            lambda object_type, fields: _alive(this).collect_subfields(object_type, fields),
            self.is_awaitable,
            shareable=without_directives(self.operation, self.fragment_definitions),
        )

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._completion_plans.plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan(result)
            except Exception:
                # graphql-core completes the object again, placing every error at its path.
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        attribute = getattr(field_def.resolve, PLAIN_LEAF, None) if field_def else None
        if attribute is None or node.arguments:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return_type = field_def.type  # type: ignore[union-attr]
        try:
            value = getattr(source, attribute)
            if value is None and is_non_null_type(return_type):
                # The error names the field, from the resolve info: graphql-core's path.
                return super().execute_field(
                    parent_type, source, field_details_list, path, position_context
                )
            # Leaf completion never reads the resolve info otherwise.
            return self.complete_value(
                return_type,
                field_details_list,
                None,  # type: ignore[arg-type]
                path,
                value,
                position_context,
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None


def _alive(this: weakref.ref[ClientExecutionContext]) -> ClientExecutionContext:
    executor = this()
    if executor is None:  # only once nothing can call back into it any more
        raise RuntimeError("the execution has ended")
    return executor


def is_plain_leaf(return_type: Any) -> bool:
    return is_leaf_type(get_named_type(return_type))
