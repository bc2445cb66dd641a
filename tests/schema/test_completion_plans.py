"""Completion plans give exactly what graphql-core's own completion gives, errors included,
and are what completes plain objects."""

from __future__ import annotations

import asyncio
import enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.completion_plans import CompletionPlans
from schema.execution import ClientExecutionContext
from schema.plain_fields import read_plain_fields_directly


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


@strawberry.type
class Tag:
    label: str
    colour: Colour


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    note: str | None
    tags: list[Tag]
    scores: list[int]
    ratio: float | None = None
    flag: bool = True
    maybe_colour: Colour | None = None
    # Relations as the schema holds them: a value, None, an exception or a task.
    related: Tag | None


@strawberry.type
class Page:
    items: list[Item]
    total: int


PAGE: list[Page] = []


@strawberry.type
class Query:
    @strawberry.field
    async def page(self) -> Page:
        return PAGE[0]


def _schema(context_class: type[StrawberryGraphQLCoreExecutionContext]) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    read_plain_fields_directly(schema._schema)
    return schema


PLANNED = _schema(ClientExecutionContext)
REFERENCE = _schema(StrawberryGraphQLCoreExecutionContext)

QUERY = """{ page { total items { __typename id name note scores ratio flag maybeColour
  tags { label colour } related { label colour } also: related { colour } } } }"""


def _item(n: int, **overrides: Any) -> Item:
    values: dict[str, Any] = {
        "id": strawberry.ID(f"i_{n}"),
        "name": f"item {n}",
        "note": None if n % 2 else "note",
        "tags": [Tag(label=f"t{n}", colour=Colour.RED), Tag(label="x", colour=Colour.GREEN)],
        "scores": [n, n + 1],
        "related": Tag(label="rel", colour=Colour.GREEN) if n % 3 else None,
    }
    return Item(**(values | overrides))


def _errors(errors: list[GraphQLError] | None) -> list[tuple[str, list[str | int] | None]]:
    return sorted((e.message, e.path) for e in errors or [])


async def _both(page: Page) -> tuple[Any, Any]:
    PAGE[:] = [page]
    planned = await PLANNED.execute(QUERY)
    reference = await REFERENCE.execute(QUERY)
    assert planned.data == reference.data
    assert _errors(planned.errors) == _errors(reference.errors)
    return planned.data, planned.errors


async def test_plain_objects_complete_as_graphql_core_completes_them() -> None:
    data, errors = await _both(Page(items=[_item(n) for n in range(6)], total=6))
    assert errors is None
    first = data["page"]["items"][0]
    assert first == {
        "__typename": "Item",
        "id": "i_0",
        "name": "item 0",
        "note": "note",
        "scores": [0, 1],
        "ratio": None,
        "flag": True,
        "maybeColour": None,
        "tags": [{"label": "t0", "colour": "RED"}, {"label": "x", "colour": "GREEN"}],
        "related": None,
        "also": None,
    }
    assert list(first)[:5] == ["__typename", "id", "name", "note", "scores"]


async def test_a_failed_relation_is_null_with_its_error_at_its_path() -> None:
    items = [_item(1), _item(2, related=LookupError("courier service down")), _item(4)]
    data, errors = await _both(Page(items=items, total=3))
    assert data["page"]["items"][1]["related"] is None
    assert data["page"]["items"][1]["name"] == "item 2"
    assert data["page"]["items"][2]["related"] == {"label": "rel", "colour": "GREEN"}
    assert {tuple(e.path or ()) for e in errors} == {
        ("page", "items", 1, "related"),
        ("page", "items", 1, "also"),
    }


async def test_a_relation_still_loading_is_awaited() -> None:
    async def later() -> Tag:
        await asyncio.sleep(0)
        return Tag(label="late", colour=Colour.RED)

    PAGE[:] = [Page(items=[_item(1, related=asyncio.ensure_future(later()))], total=1)]
    result = await PLANNED.execute(QUERY)
    assert result.errors is None
    assert result.data is not None
    assert result.data["page"]["items"][0]["related"] == {"label": "late", "colour": "RED"}


async def test_a_null_in_a_non_null_field_nulls_its_parent_with_an_error() -> None:
    items = [_item(1), _item(2, name=None)]
    data, errors = await _both(Page(items=items, total=2))
    # Item.name, [Item!]! and Page! are all non-null: the null propagates to the root.
    assert data is None
    assert [e.path for e in errors] == [["page", "items", 1, "name"]]


async def test_a_wrong_leaf_value_is_an_error_at_its_path() -> None:
    items = [_item(1, scores=[1, "many"]), _item(2)]
    _data, errors = await _both(Page(items=items, total=2))
    assert [e.path for e in errors] == [["page", "items", 0, "scores", 1]]


@pytest.mark.parametrize(
    "overrides",
    [
        {"scores": [2**31]},  # Int is 32-bit
        {"scores": [True]},  # a bool is coerced to an Int
        {"ratio": float("nan")},
        {"ratio": 2},  # an int is coerced to a Float
        {"flag": 1},  # not a Boolean
        {"name": 12},  # an int is coerced to a String
        {"maybe_colour": Colour.GREEN},
        {"maybe_colour": "nope"},
    ],
)
async def test_leaves_coerce_as_graphql_core_coerces_them(overrides: dict[str, Any]) -> None:
    await _both(Page(items=[_item(1, **overrides), _item(2)], total=2))


@pytest.mark.parametrize("n", [1, 25])
async def test_plans_complete_plain_objects_without_graphql_core(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    completed_by_graphql_core: list[str] = []
    original = StrawberryGraphQLCoreExecutionContext.complete_object_value

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        completed_by_graphql_core.append(return_type.name)
        return original(self, return_type, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_object_value", counting)
    PAGE[:] = [Page(items=[_item(i) for i in range(n)], total=n)]
    result = await PLANNED.execute(QUERY)
    assert result.errors is None
    # The page, its items and their tags all came from plans.
    assert completed_by_graphql_core == []


def _cached_schema() -> strawberry.Schema:
    # As the BFFs parse: the parser cache hands out the same nodes for the same text.
    schema = strawberry.Schema(
        query=Query,
        execution_context_class=ClientExecutionContext,
        extensions=[lambda: ParserCache(maxsize=8)],
    )
    read_plain_fields_directly(schema._schema)
    return schema


@pytest.fixture
def plans_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    original = CompletionPlans._object_plan

    def counting(self: CompletionPlans, object_type: Any, fields: Any) -> Any:
        made.append(object_type.name)
        return original(self, object_type, fields)

    monkeypatch.setattr(CompletionPlans, "_object_plan", counting)
    return made


async def test_an_operation_without_directives_shares_its_plans(plans_made: list[str]) -> None:
    schema = _cached_schema()
    PAGE[:] = [Page(items=[_item(1), _item(2)], total=2)]
    first = await schema.execute(QUERY)
    made_first = list(plans_made)
    second = await schema.execute(QUERY)
    assert first.data == second.data
    assert made_first and sorted(set(made_first)) == ["Item", "Page", "Tag"]
    assert plans_made == made_first  # none made again


async def test_an_operation_with_directives_plans_every_request(plans_made: list[str]) -> None:
    schema = _cached_schema()
    query = """query ($withName: Boolean!) { page { total items {
      id name @include(if: $withName) tags { label } } } }"""
    PAGE[:] = [Page(items=[_item(1)], total=1)]
    named = await schema.execute(query, variable_values={"withName": True})
    made_once = len(plans_made)
    unnamed = await schema.execute(query, variable_values={"withName": False})
    assert named.data is not None and unnamed.data is not None
    assert named.data["page"]["items"][0]["name"] == "item 1"
    assert "name" not in unnamed.data["page"]["items"][0]
    assert len(plans_made) == 2 * made_once


async def test_aliases_that_are_python_keywords_complete_as_graphql_core_completes_them() -> None:
    query = "{ page { total items { class: name for: id lambda: scores id: flag } } }"
    PAGE[:] = [Page(items=[_item(1), _item(2, scores=[2**31 - 1, -(2**31)])], total=2)]
    planned = await PLANNED.execute(query)
    reference = await REFERENCE.execute(query)
    assert planned.errors is None
    assert planned.data == reference.data
    assert planned.data is not None
    assert planned.data["page"]["items"][1] == {
        "class": "item 2",
        "for": "i_2",
        "lambda": [2**31 - 1, -(2**31)],
        "id": True,
    }
