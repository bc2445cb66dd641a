"""Operation limits: every shared operation fits the defaults at its largest page; deep, wide,
alias-bomb, fragment-bomb and costly operations do not."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, validate

from bff import operation_limits
from bff.graphql import client_schema
from bff.operation_limits import OperationCost, shape_rule
from bff.settings import OperationLimitSettings, Settings
from schema.operations import client_operations

SETTINGS = Settings(_env_file=None)


def _errors(client: str, document: str, limits: OperationLimitSettings) -> list[str]:
    schema = client_schema(client)._schema
    return [e.message for e in validate(schema, parse(document), [shape_rule(limits)])]


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_every_shared_operation_fits_the_defaults_at_its_largest_page(client: str) -> None:
    limits = SETTINGS.operation_limits(client)
    schema = client_schema(client)._schema
    for operation in client_operations(client):
        assert _errors(client, operation.document, limits) == [], operation.name
        for first in (None, limits.page_size_cap):
            variables = {} if first is None else {"first": first}
            cost = OperationCost(limits).of(schema, parse(operation.document), None, variables)
            assert cost <= limits.max_cost, (operation.name, first, cost)


def test_depth_is_refused_naming_the_limit() -> None:
    limits = OperationLimitSettings(max_depth=3)
    errors = _errors("mobile", "{ me { orders { edges { node { id } } } } }", limits)
    assert errors == ["Operation refused: its depth is 5, over the maximum of 3 (max_depth)."]


def test_aliases_and_root_fields_are_counted_through_fragments() -> None:
    limits = OperationLimitSettings(max_aliases=3, max_root_fields=2)
    document = """
        query { ...Root ...Root }
        fragment Root on Query { a: __typename b: __typename c: __typename }
    """
    errors = _errors("mobile", document, limits)
    assert any("(max_aliases)" in e and "is 6" in e for e in errors)
    assert any("(max_root_fields)" in e for e in errors)


def test_a_fragment_bomb_is_measured_without_expanding_it() -> None:
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}\n" for i in range(40)
    )
    document = "query { ...F0 }\n" + fragments + "fragment F40 on Query { x: __typename }"
    errors = _errors("mobile", document, OperationLimitSettings())
    assert any("(max_aliases)" in e for e in errors)  # 2**40 aliases, counted, not built


def test_cycles_do_not_hang_the_rule() -> None:
    document = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    _errors("mobile", document, OperationLimitSettings())  # NoFragmentCycles reports it


def test_cost_multiplies_by_first_from_the_variables_and_caps_it() -> None:
    limits = OperationLimitSettings(page_size_cap=50, list_size=10)
    schema = client_schema("mobile")._schema
    document = parse(
        "query ($first: Int) { me { orders(first: $first) { edges { node { id } } } } }"
    )
    small = OperationCost(limits).of(schema, document, None, {"first": 2})
    large = OperationCost(limits).of(schema, document, None, {"first": 10_000})
    default = OperationCost(limits).of(schema, document, None, {})
    assert small < large == default


ORDERS_PAGE = parse(
    "query ($first: Int, $after: String) { me { orders(first: $first, after: $after) "
    "{ edges { node { id restaurant { name } } } } } }"
)


def test_a_cost_is_remembered_by_the_document_and_its_page_sizes_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = OperationLimitSettings(page_size_cap=50, list_size=10)
    schema = client_schema("mobile")._schema
    walks: list[dict[str, Any]] = []
    walk = operation_limits._CostWalk

    class CountedWalk(walk):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            walks.append(args[3])
            super().__init__(*args)

    monkeypatch.setattr(operation_limits, "_CostWalk", CountedWalk)
    remembering = OperationCost(limits)

    def fresh(variables: dict[str, Any]) -> int:
        return walk(schema, limits, ORDERS_PAGE, variables, {}).selection_set(
            ORDERS_PAGE.definitions[0].selection_set,  # type: ignore[attr-defined]
            schema.query_type,
        )

    asked: list[dict[str, Any]] = [
        {"first": 2, "after": "c1"},
        {"first": 2, "after": "c2"},  # another cursor: the same cost, no walk
        {"first": 20},
        {},  # absent: the cap
        {"first": None},  # null: the cap too, but a value of its own
        {"first": 2},
        {"first": [1, 2]},  # refused later; never a key
        {"first": [1, 2]},
    ]
    costs = [remembering.of(schema, ORDERS_PAGE, None, v) for v in asked]
    assert costs == [fresh(v) for v in asked]
    assert costs[0] < costs[2] < costs[3] == costs[4]
    assert [w.get("first", "absent") for w in walks] == [2, 20, "absent", None, [1, 2], [1, 2]]
