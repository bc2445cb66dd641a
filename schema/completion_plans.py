"""Completion plans: objects whose selected fields are all plain are completed in one step.

graphql-core completes a value field by field: a path, a dispatch on the field's type and a
leaf coercion through several calls, for every field of every object. Below a list resolver,
this schema's objects are already built, with their relations as plain values (see
``schema.relations``), so the work is only reading attributes and coercing leaves. A plan,
made once per (object type, selection) per request, does exactly that: for each selected
field, the attribute to read and a completer of its type, nested objects and lists included.

A plan is an optimisation, never a second semantics: anything it does not expect (a null
in a non-null field, a relation still loading, a failed relation held as an exception, an
unexpected type) makes it give up on that object, and graphql-core completes the object
again from the start, placing every error at its field's path. Reading the attributes
again is harmless: they are plain values.

A plan depends on the request only through the directives of its operation (``@skip`` and
``@include`` read variables). Operations without directives, which is what the apps send,
share their plans across requests: they are keyed by the parsed nodes, which the parser
cache hands out again for the same document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from enum import Enum
from keyword import iskeyword
from math import isfinite
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    SelectionSetNode,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Undefined

from schema.node_memo import NodeMemo

PLAIN_ATTRIBUTE = "_plain_attribute"

Completer = Callable[[Any], Any]
ObjectPlan = Callable[[Any], dict[str, Any]]
CollectSubfields = Callable[[GraphQLObjectType, Any], Any]


class GiveUp(Exception):
    """The plan met something only graphql-core's own completion handles."""


# Plans of operations without directives, by object type and field nodes.
_SHARED_PLANS: NodeMemo[ObjectPlan | None] = NodeMemo()
_DIRECTIVE_FREE: NodeMemo[bool] = NodeMemo()


def without_directives(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> bool:
    """Whether no selection of ``operation`` (its fragments included) carries a directive;
    worked out once per parsed operation."""

    def free() -> bool:
        return _directive_free(operation.selection_set) and all(
            not fragment.directives and _directive_free(fragment.selection_set)
            for fragment in fragments.values()
        )

    return _DIRECTIVE_FREE.get([operation], free)


def _directive_free(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return True
    return all(
        not selection.directives and _directive_free(getattr(selection, "selection_set", None))
        for selection in selection_set.selections
    )


class CompletionPlans:
    """The plans of one request, shared with other requests when ``shareable`` (its operation
    has no directives: nothing else in a plan depends on the request)."""

    def __init__(
        self,
        collect_subfields: CollectSubfields,
        is_awaitable: Callable[[Any], bool],
        *,
        shareable: bool = False,
    ) -> None:
        self._collect_subfields = collect_subfields
        self._is_awaitable = is_awaitable
        self._shareable = shareable
        # Keyed by the identity of graphql-core's field list, kept alive beside the plan so
        # that its id cannot be reused within the request.
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, ObjectPlan | None]] = {}

    def plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> ObjectPlan | None:
        key = (object_type, id(field_details_list))
        found = self._plans.get(key)
        if found is None:
            plan = (
                self._shared_plan(object_type, field_details_list)
                if self._shareable
                else self._object_plan(object_type, field_details_list)
            )
            found = (field_details_list, plan)
            self._plans[key] = found
        return found[1]

    def _shared_plan(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> ObjectPlan | None:
        return _SHARED_PLANS.get(
            [details.node for details in field_details_list],
            lambda: self._object_plan(object_type, field_details_list),
            kind=object_type,
        )

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> ObjectPlan | None:
        if object_type.is_type_of is not None:
            return None
        grouped_field_set = self._collect_subfields(object_type, field_details_list)[0]
        entries: list[tuple[str, str, Completer]] = []
        checks: list[str | None] = []
        constants: dict[str, str] = {}
        for response_name, details in grouped_field_set.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                constants[response_name] = object_type.name
                continue
            field = object_type.fields.get(name)
            attribute = getattr(field.resolve, PLAIN_ATTRIBUTE, None) if field else None
            if field is None or attribute is None or node.arguments:
                return None
            completer = self._completer(field.type, details)
            if completer is None:
                return None
            entries.append((response_name, attribute, completer))
            checks.append(_native_check(field.type))
        if constants:
            # Rare (__typename); kept out of the common path below.
            return _with_constants(entries, constants, list(grouped_field_set))
        return _compiled(entries, checks)

    def _completer(self, field_type: GraphQLOutputType, details: Any) -> Completer | None:
        if is_non_null_type(field_type):
            of_type = field_type.of_type
            if is_leaf_type(of_type):  # the commonest field: one step, not two
                return _leaf(of_type, non_null=True)
            inner = self._completer(of_type, details)
            return None if inner is None else _non_null(inner)
        if is_list_type(field_type):
            assert isinstance(field_type, GraphQLList)
            item = self._completer(field_type.of_type, details)
            return None if item is None else _list_of(item)
        if is_leaf_type(field_type):
            return _leaf(field_type, non_null=False)
        if is_object_type(field_type):
            assert isinstance(field_type, GraphQLObjectType)
            plan = self.plan(field_type, details)
            return None if plan is None else _object_of(plan, self._is_awaitable)
        return None  # interfaces and unions: graphql-core resolves their runtime type


def _non_null(inner: Completer) -> Completer:
    def complete_non_null(value: Any) -> Any:
        if value is None:
            raise GiveUp
        return inner(value)

    return complete_non_null


def _list_of(item: Completer) -> Completer:
    def complete_list(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            raise GiveUp
        return [item(element) for element in value]

    return complete_list


_INT_RANGE = range(-(2**31), 2**31)


def _native(type_name: str) -> Callable[[Any], bool] | None:
    """When a value is already what graphql-core would make of it, for the built-in scalars
    (their coercion returns such a value unchanged, through several checks)."""
    if type_name in ("String", "ID"):
        return lambda value: type(value) is str
    if type_name == "Boolean":
        return lambda value: type(value) is bool
    if type_name == "Int":
        return lambda value: type(value) is int and value in _INT_RANGE
    if type_name == "Float":
        return lambda value: type(value) is float and isfinite(value)
    return None


def _leaf(leaf_type: Any, *, non_null: bool) -> Completer:
    coerce: Callable[[Any], Any] = leaf_type.coerce_output_value
    native = _native(leaf_type.name)
    # Enum members (singletons: known by identity), coerced once per request.
    members: dict[int, Any] = {}

    def coerce_leaf(value: Any) -> Any:
        if isinstance(value, BaseException):
            raise GiveUp
        member = isinstance(value, Enum)
        if member:
            known = members.get(id(value))
            if known is not None:
                return known
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise GiveUp
        if member:
            members[id(value)] = coerced
        return coerced

    if native is not None:
        is_native = native

        def complete_leaf(value: Any) -> Any:
            if value is None:
                if non_null:
                    raise GiveUp
                return None
            return value if is_native(value) else coerce_leaf(value)

        return complete_leaf

    def complete_other_leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise GiveUp
            return None
        return coerce_leaf(value)

    return complete_other_leaf


def _object_of(plan: ObjectPlan, is_awaitable: Callable[[Any], bool]) -> Completer:
    # Classes whose instances are plain objects: known after one look, a set lookup after.
    plain: set[type] = set()

    def complete_object(value: Any) -> Any:
        if value is None:
            return None
        kind = type(value)
        if kind not in plain:
            # A relation still loading (a task) or failed (its exception) is graphql-core's.
            if isinstance(value, BaseException) or is_awaitable(value):
                raise GiveUp
            plain.add(kind)
        return plan(value)

    return complete_object


_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_NATIVE_CHECKS = {
    "String": "type({v}) is str",
    "ID": "type({v}) is str",
    "Boolean": "type({v}) is bool",
    "Int": "type({v}) is int and -2147483648 <= {v} <= 2147483647",
}


def _native_check(field_type: GraphQLOutputType) -> str | None:
    """For a built-in scalar other than Float, the test that a value is already its output."""
    named = field_type.of_type if is_non_null_type(field_type) else field_type
    if not is_leaf_type(named):
        return None
    return _NATIVE_CHECKS.get(getattr(named, "name", ""))


def _compiled(entries: list[tuple[str, str, Completer]], checks: list[str | None]) -> ObjectPlan:
    """The plan as one function with a dict display, written out for its fields.

    Each field is read as an attribute; a built-in scalar already in its output form is taken
    as it is, without a call (its completer would return it unchanged, and handles anything
    else). An object of five such fields completes in about half the time of a loop of completer
    calls (``bench/micro.py``), and objects are most of a response.
    """
    namespace: dict[str, Any] = {}
    items = []
    for index, ((name, attr, complete), check) in enumerate(zip(entries, checks, strict=True)):
        if not _GRAPHQL_NAME.fullmatch(name) or not attr.isidentifier() or iskeyword(attr):
            return _looped(entries)
        namespace[f"c{index}"] = complete
        value = f"v{index}"
        if check is None:
            items.append(f"{name!r}: c{index}(source.{attr})")
        else:
            test = check.format(v=value).replace(value, f"({value} := source.{attr})", 1)
            items.append(f"{name!r}: ({value} if {test} else c{index}({value}))")
    code = "def complete_object(source):\n    return {" + ", ".join(items) + "}\n"
    # Only checked names and attributes are written into the code; values stay in the namespace.
    exec(code, namespace)
    plan: ObjectPlan = namespace["complete_object"]
    return plan


def _looped(entries: list[tuple[str, str, Completer]]) -> ObjectPlan:
    plain = tuple(entries)

    def complete_object(source: Any) -> dict[str, Any]:
        return {name: complete(getattr(source, attr)) for name, attr, complete in plain}

    return complete_object


def _with_constants(
    entries: list[tuple[str, str, Completer]], constants: dict[str, str], order: list[str]
) -> ObjectPlan:
    def complete_object(source: Any) -> dict[str, Any]:
        values = {name: complete(getattr(source, attr)) for name, attr, complete in entries}
        values.update(constants)
        return {name: values[name] for name in order}

    return complete_object
