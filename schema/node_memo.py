"""Values worked out once per set of parsed nodes, shared across requests.

The parser cache hands out the same nodes again for the same document, so what depends only on
the nodes (a selection tree, a completion plan) need not be worked out on every request. Values
are keyed by the nodes' identities, and the nodes are kept beside each value so that their ids
cannot be reused while it is cached. A memo that fills up is cleared: documents nobody sends any
more go, and those in use come back at once. (A plain dict: its operations are atomic, and
servers in tests share it across threads.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")


class NodeMemo(Generic[V]):
    def __init__(self, maxsize: int = 4096) -> None:
        self._maxsize = maxsize
        self._values: dict[tuple[Hashable, tuple[int, ...]], tuple[tuple[object, ...], V]] = {}

    def get(self, nodes: Sequence[object], make: Callable[[], V], *, kind: Hashable = None) -> V:
        """The value of ``nodes`` (of ``kind``, for values that differ by more than the nodes),
        made by ``make`` the first time."""
        key = (kind, tuple(map(id, nodes)))
        known = self._values.get(key)
        if known is not None and all(a is b for a, b in zip(known[0], nodes, strict=True)):
            return known[1]
        value = make()
        if len(self._values) >= self._maxsize:
            self._values.clear()
        self._values[key] = (tuple(nodes), value)
        return value
