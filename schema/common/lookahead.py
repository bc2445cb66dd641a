"""Look-ahead into a field's selection set, to plan fetches before the fields resolve.

A ``Selection`` is the tree of field names selected below a field, fragments merged in and
aliases folded onto their field: ``{"edges": {"node": {"restaurant": {"name": {}}}}}``.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.types import Info

from schema.node_memo import NodeMemo

Selection = dict[str, "Selection"]


class _Everything(dict[str, "Selection"]):
    """The selection of a caller that does not say what it needs: every field, at every depth."""

    def __contains__(self, name: object) -> bool:
        return True

    def get(self, name: str, default: object = None) -> Selection:
        return self


# Objects are built with only their selected fields; built for EVERYTHING, they have them all.
EVERYTHING: Selection = _Everything()


def selection(info: Info) -> Selection:
    """What the current field's selection asks for, as a tree of field names (shared: read it,
    never change it)."""
    raw = info._raw_info
    nodes = raw.field_nodes

    def tree() -> Selection:
        return _merge((node.selection_set for node in nodes if node.selection_set), raw.fragments)

    # The same operation brings the same nodes each time: its trees are worked out once.
    return _SELECTIONS.get(nodes, tree)


_SELECTIONS: NodeMemo[Selection] = NodeMemo()


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection asks for the child field ``name``."""
    return name in selection(info)


def at(tree: Selection, *path: str) -> Selection:
    """The subtree at ``path`` (empty when any step is not selected)."""
    for name in path:
        tree = tree.get(name, {})
    return tree


def _merge(
    sets: Iterable[SelectionSetNode],
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Selection:
    tree: Selection = {}
    for selection_set in sets:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                child = _merge([node.selection_set], fragments, seen) if node.selection_set else {}
                _graft(tree.setdefault(node.name.value, {}), child)
            elif isinstance(node, InlineFragmentNode):
                _graft(tree, _merge([node.selection_set], fragments, seen))
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in fragments and name not in seen:  # a cycle is invalid anyway
                    spread = _merge([fragments[name].selection_set], fragments, seen | {name})
                    _graft(tree, spread)
    return tree


def _graft(into: Selection, other: Selection) -> None:
    for name, child in other.items():
        _graft(into.setdefault(name, {}), child)
