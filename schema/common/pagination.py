"""Relay connections over the downstream cursor pages.

A BFF cursor names a position in a downstream page: that page's downstream cursor plus an
offset into it, so that every edge's cursor works as ``after``, not only ``endCursor``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import orjson
import strawberry

from clients import ContractModel, Page
from schema.errors import bad_user_input

T = TypeVar("T", bound=ContractModel)
N = TypeVar("N")

DOWNSTREAM_MAX_LIMIT = 100
# Fetches one downstream page given (limit, downstream cursor).
FetchPage = Callable[[int, str | None], Awaitable[Page[T]]]


@strawberry.type(description="Relay page information.")
class PageInfo:
    start_cursor: str | None
    end_cursor: str | None
    has_next_page: bool
    has_previous_page: bool


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo


@dataclass(frozen=True, slots=True)
class Position:
    downstream_cursor: str | None
    offset: int

    def encode(self) -> str:
        raw = orjson.dumps([self.downstream_cursor, self.offset])
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            downstream, offset = orjson.loads(raw)
        except (binascii.Error, ValueError, TypeError):
            raise bad_user_input("`after` is not a cursor this API gave out.") from None
        valid = (downstream is None or isinstance(downstream, str)) and isinstance(offset, int)
        if not valid or not 0 <= offset < DOWNSTREAM_MAX_LIMIT:
            raise bad_user_input("`after` is not a cursor this API gave out.")
        return cls(downstream, offset)


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """The items of one GraphQL page, each with the position that resumes right after it."""

    items: list[tuple[Position, T]]
    has_next: bool
    has_previous: bool

    def connection(self, node: Callable[[T], N], *, edge_cursors: bool = True) -> Connection[N]:
        """The page as a connection; without ``edge_cursors`` (not selected), only the page's
        first and last cursors are encoded."""
        edges = [
            Edge(cursor=position.encode() if edge_cursors else "", node=node(item))
            for position, item in self.items
        ]
        items = self.items
        return Connection(
            edges=edges,
            page_info=PageInfo(
                start_cursor=items[0][0].encode() if items else None,
                end_cursor=items[-1][0].encode() if items else None,
                has_next_page=self.has_next,
                has_previous_page=self.has_previous,
            ),
        )


def check_first(first: int | None, *, default: int, maximum: int) -> int:
    if first is None:  # An explicit null means the default.
        return default
    if not 1 <= first <= maximum:
        raise bad_user_input(f"`first` must be between 1 and {maximum}.")
    return first


async def fetch_slice(fetch: FetchPage[T], first: int, after: str | None) -> Slice[T]:
    """Fetch ``first`` items after ``after``: one downstream call unless a page boundary is hit."""
    position = Position.decode(after) if after is not None else Position(None, 0)
    taken: list[tuple[Position, T]] = []
    cursor, skip = position.downstream_cursor, position.offset
    while True:
        limit = min(DOWNSTREAM_MAX_LIMIT, skip + first - len(taken))
        page = await fetch(limit, cursor)
        window = page.items[skip : skip + first - len(taken)]
        for index, item in enumerate(window, start=skip):
            is_last_of_page = index == len(page.items) - 1
            if is_last_of_page and page.next_cursor is not None:
                resume = Position(page.next_cursor, 0)
            else:
                resume = Position(cursor, index + 1)
            taken.append((resume, item))
        remaining_on_page = len(page.items) > skip + len(window)
        done = len(taken) == first or remaining_on_page or not page.items
        if done or page.next_cursor is None:
            has_next = remaining_on_page or page.next_cursor is not None
            return Slice(taken, has_next=has_next, has_previous=after is not None)
        # The page ended before the slice was full (a mid-page cursor with a large `first`).
        cursor, skip = page.next_cursor, 0
