"""Operation limits: depth, aliases, root fields, tokens and a cost budget, checked before any
resolver runs. The shape limits are one validation rule class per schema (so the validation
cache keeps hitting); the cost depends on the variables, and is remembered by the document and
the values of its page sizes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    validate,
)
from graphql.type.definition import GraphQLNamedType
from strawberry.extensions import SchemaExtension

from bff.settings import OperationLimitSettings
from schema.node_memo import NodeMemo

OPERATION_LIMIT_EXCEEDED = "OPERATION_LIMIT_EXCEEDED"
_INTROSPECTION = frozenset({"__schema", "__type"})
_MEASURES = {
    "max_depth": "depth",
    "max_aliases": "number of aliases",
    "max_root_fields": "number of root fields",
    "max_cost": "cost",
}


def limit_error(limit: str, actual: int, maximum: int, node: Any = None) -> GraphQLError:
    """The error of an operation over ``limit``: names the limit, the maximum and the value."""
    return GraphQLError(
        f"Operation refused: its {_MEASURES.get(limit, limit)} is {actual}, over the maximum "
        f"of {maximum} ({limit}).",
        nodes=node,
        extensions={
            "code": OPERATION_LIMIT_EXCEEDED,
            "limit": limit,
            "maximum": maximum,
            "actual": actual,
        },
    )


@dataclass(frozen=True, slots=True)
class OperationShape:
    depth: int
    aliases: int
    root_fields: int


class _ShapeMeter:
    """Measures an operation with its fragments expanded, each fragment measured once (a
    fragment bomb is counted, not expanded) and cycles cut (another rule reports them)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self._fragments = fragments
        self._memo: dict[str, tuple[int, int]] = {}
        self._visiting: set[str] = set()

    def measure(self, operation: OperationDefinitionNode) -> OperationShape:
        depth, aliases = self._selection_set(operation.selection_set)
        return OperationShape(depth, aliases, self._root_fields(operation.selection_set, set()))

    def _selection_set(self, selection_set: SelectionSetNode | None) -> tuple[int, int]:
        depth = aliases = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                aliases += selection.alias is not None
                if selection.name.value in _INTROSPECTION:
                    continue  # governed by BFF_INTROSPECTION, not by the operation limits
                child_depth, child_aliases = self._selection_set(selection.selection_set)
                depth, aliases = max(depth, 1 + child_depth), aliases + child_aliases
            elif isinstance(selection, InlineFragmentNode):
                child_depth, child_aliases = self._selection_set(selection.selection_set)
                depth, aliases = max(depth, child_depth), aliases + child_aliases
            elif isinstance(selection, FragmentSpreadNode):
                child_depth, child_aliases = self._fragment(selection.name.value)
                depth, aliases = max(depth, child_depth), aliases + child_aliases
        return depth, aliases

    def _fragment(self, name: str) -> tuple[int, int]:
        if name in self._memo:
            return self._memo[name]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._visiting:
            return 0, 0
        self._visiting.add(name)
        measured = self._selection_set(fragment.selection_set)
        self._visiting.discard(name)
        self._memo[name] = measured
        return measured

    def _root_fields(self, selection_set: SelectionSetNode, seen: set[str]) -> int:
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1
            elif isinstance(selection, InlineFragmentNode):
                count += self._root_fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self._fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    seen.add(fragment.name.value)
                    count += self._root_fields(fragment.selection_set, seen)
        return count


def shape_rule(limits: OperationLimitSettings) -> type[ASTValidationRule]:
    """A validation rule class for these limits; build it once per schema."""

    class OperationShapeRule(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            shape = _ShapeMeter(fragments).measure(node)
            checks = (
                ("max_depth", shape.depth, limits.max_depth),
                ("max_aliases", shape.aliases, limits.max_aliases),
                ("max_root_fields", shape.root_fields, limits.max_root_fields),
            )
            for limit, actual, maximum in checks:
                if actual > maximum:
                    self.report_error(limit_error(limit, actual, maximum, node))

    return OperationShapeRule


class OperationCost:
    """The cost of an operation: each object costs 1 (its scalars come with it), and a list
    multiplies what it holds by ``first`` (capped at the page size cap; the cap when absent) or
    by the assumed list size.

    The walk depends on the document and on the values of the variables given as ``first``,
    nothing else: a cost is remembered by the parsed document (the parser cache hands out the
    same nodes for the same text) and those values, so that an app's requests, which differ
    by ids and cursors, do not walk their operation again (2.7 to 8% of the Python function
    calls per request, ``bench/cpu.py``)."""

    def __init__(self, limits: OperationLimitSettings) -> None:
        self._limits = limits
        self._known: NodeMemo[_Costs] = NodeMemo()

    def of(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int:
        operation = _operation(document, operation_name)
        if operation is None:
            return 0
        root = schema.get_root_type(operation.operation)
        if root is None:
            return 0
        given = dict(variables or {})
        known = self._known.get([document, operation, schema], _Costs)
        values = known.values_of(given)
        cost = known.costs.get(values) if values is not None else None
        if cost is not None:
            return cost
        defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        walk = _CostWalk(schema, self._limits, document, given, defaults)
        cost = walk.selection_set(operation.selection_set, root)
        known.remember(walk.read, given, cost)
        return cost


_ABSENT = object()  # a variable not given (its default applies), unlike one given as null
_COSTS_PER_OPERATION = 64  # distinct page sizes remembered per operation


class _Costs:
    """One operation's costs by the values of its ``first`` variables."""

    def __init__(self) -> None:
        self.read: tuple[str, ...] | None = None  # known after the first walk
        self.costs: dict[tuple[Any, ...], int] = {}

    def values_of(self, variables: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The key of these variables: None before the first walk, or when a value cannot be
        a key (a list or an object given as ``first`` is refused later; never remembered)."""
        if self.read is None:
            return None
        values = tuple(variables.get(name, _ABSENT) for name in self.read)
        try:
            hash(values)
        except TypeError:
            return None
        return values

    def remember(self, read: set[str], variables: Mapping[str, Any], cost: int) -> None:
        self.read = tuple(sorted(read))
        values = self.values_of(variables)
        if values is None:
            return
        if len(self.costs) >= _COSTS_PER_OPERATION:
            self.costs.clear()
        self.costs[values] = cost


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        limits: OperationLimitSettings,
        document: DocumentNode,
        variables: dict[str, Any],
        defaults: dict[str, Any],
    ) -> None:
        self._schema = schema
        self._limits = limits
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._variables = variables
        self._defaults = defaults
        # The variables the walk read (the ``first`` ones): the cost depends on nothing else.
        self.read: set[str] = set()
        self._memo: dict[str, int] = {}
        self._visiting: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None, parent: Any) -> int:
        cost = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                cost += self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                cost += self.selection_set(selection.selection_set, parent)
            elif isinstance(selection, FragmentSpreadNode):
                cost += self._fragment(selection.name.value, parent)
        return cost

    def _field(self, node: FieldNode, parent: Any) -> int:
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if isinstance(fields, Mapping) else None
        if node.selection_set is None or node.name.value in _INTROSPECTION:
            return 0  # a leaf comes with its object; introspection has its own switch
        if definition is None:
            return 1
        field_type = get_nullable_type(definition.type)
        child: GraphQLNamedType = get_named_type(field_type)
        multiplier = self._multiplier(node, is_list_type(field_type))
        return 1 + multiplier * self.selection_set(node.selection_set, child)

    def _multiplier(self, node: FieldNode, is_list: bool) -> int:
        for argument in node.arguments or ():
            if argument.name.value == "first":
                return self._first(argument.value)
        return self._limits.list_size if is_list else 1

    def _first(self, value: Any) -> int:
        cap = self._limits.page_size_cap
        if isinstance(value, VariableNode):
            name = value.name.value
            self.read.add(name)
            given = self._variables.get(name)
            if given is None and name not in self._variables:
                value = self._defaults.get(name)
            else:
                return _clamp(given, cap)
        if isinstance(value, IntValueNode):
            return _clamp(int(value.value), cap)
        return cap

    def _fragment(self, name: str, parent: Any) -> int:
        if name in self._memo:
            return self._memo[name]
        fragment = self._fragments.get(name)
        if fragment is None or name in self._visiting:
            return 0
        self._visiting.add(name)
        # A fragment's fields are typed by its condition (the parent when it names no type).
        condition = self._schema.get_type(fragment.type_condition.name.value) or parent
        cost = self.selection_set(fragment.selection_set, condition)
        self._visiting.discard(name)
        self._memo[name] = cost
        return cost


def _clamp(value: Any, cap: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, min(value, cap))
    return cap  # null (the default page) or a value the resolver will refuse


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == name), None)


class CostLimit(SchemaExtension):
    """Refuses an operation whose cost, with its variables, is over the budget; runs after
    validation succeeded (listed after the validation cache), before execution."""

    def __init__(self, cost: OperationCost, maximum: int) -> None:
        self._cost = cost
        self._maximum = maximum

    def on_validate(self) -> Iterator[None]:
        # Before the yield: strawberry checks ``pre_execution_errors`` inside the validation
        # step, so a refusal set afterwards would come too late.
        context = self.execution_context
        document = context.graphql_document
        if context.pre_execution_errors is None and document is not None:
            context.pre_execution_errors = validate(
                context.schema._schema, document, context.validation_rules
            )
        if not context.pre_execution_errors and document is not None:
            variables = context.variables if isinstance(context.variables, Mapping) else None
            schema = context.schema._schema
            cost = self._cost.of(schema, document, context.operation_name, variables)
            if cost > self._maximum:
                context.pre_execution_errors = [limit_error("max_cost", cost, self._maximum)]
        yield
