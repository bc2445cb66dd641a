"""Look-ahead into a field's selection set, to start independent fetches in parallel."""

from __future__ import annotations

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode
from strawberry.types import Info


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection asks for the child field ``name``."""
    fragments = info._raw_info.fragments
    pending: list[SelectionSetNode] = [
        node.selection_set for node in info._raw_info.field_nodes if node.selection_set
    ]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                if selection.name.value == name:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment_name = selection.name.value
                if fragment_name not in seen and fragment_name in fragments:
                    seen.add(fragment_name)
                    pending.append(fragments[fragment_name].selection_set)
    return False
