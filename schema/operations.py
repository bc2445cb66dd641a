"""The apps' trusted documents: the exact operations each client sends, kept in the project."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

OPERATIONS_DIR = Path(__file__).resolve().parent / "operations"


@dataclass(frozen=True, slots=True)
class Operation:
    client: str
    name: str
    document: str

    @property
    def kind(self) -> str:
        """``query``, ``mutation`` or ``subscription``, from the document's first word."""
        return self.document.lstrip().split(None, 1)[0]


@cache
def client_operations(client: str) -> tuple[Operation, ...]:
    folder = OPERATIONS_DIR / client
    return tuple(
        Operation(client, path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.graphql"))
    )
