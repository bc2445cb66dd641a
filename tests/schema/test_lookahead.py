"""Look-ahead: the tree of fields a selection asks for, fragments merged and aliases folded,
worked out once per operation."""

from __future__ import annotations

import strawberry
from strawberry.extensions import ParserCache
from strawberry.types import Info

from schema.common.lookahead import EVERYTHING, Selection, at, selection

SEEN: list[Selection] = []


@strawberry.type
class Leaf:
    name: str = "x"
    size: int = 1


@strawberry.type
class Node:
    leaf: Leaf = strawberry.field(default_factory=Leaf)
    other: Leaf = strawberry.field(default_factory=Leaf)


@strawberry.type
class Query:
    @strawberry.field
    def node(self, info: Info) -> Node:
        SEEN.append(selection(info))
        return Node()


# As in the BFF: parsed documents are cached, so an operation brings the same nodes again.
SCHEMA = strawberry.Schema(query=Query, extensions=[lambda: ParserCache(maxsize=16)])
QUERY = """
query Q { node { leaf { name } ...More alias: other { size } } }
fragment More on Node { leaf { size } ... on Node { other { name } } }
"""


def test_fragments_are_merged_and_aliases_folded() -> None:
    SEEN.clear()
    assert SCHEMA.execute_sync(QUERY).errors is None
    assert SEEN[0] == {"leaf": {"name": {}, "size": {}}, "other": {"name": {}, "size": {}}}


def test_the_same_operation_reuses_its_tree_and_another_gets_its_own() -> None:
    SEEN.clear()
    for _ in range(2):
        SCHEMA.execute_sync(QUERY)
    SCHEMA.execute_sync("{ node { other { name } } }")
    assert SEEN[0] is SEEN[1]
    assert SEEN[2] == {"other": {"name": {}}}


def test_everything_holds_every_field_at_every_depth() -> None:
    assert "anything" in EVERYTHING
    assert at(EVERYTHING, "a", "b") is EVERYTHING
    assert at({"a": {"b": {}}}, "a", "c") == {}
