"""The exported SDL files and the apps' operations against each schema."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from schema.build import CLIENTS, build_schema
from schema.export import export_sdl, sdl_path
from schema.operations import OPERATIONS_DIR, client_operations

SHARED_OPERATIONS = Path(__file__).resolve().parents[2] / ".." / "shared" / "operations"


@pytest.mark.parametrize("client", CLIENTS)
def test_exported_sdl_matches_the_code(client: str) -> None:
    assert sdl_path(client).read_text(encoding="utf-8") == export_sdl(client), (
        f"schema/{client}.graphql is stale: run `bff schema export`"
    )


@pytest.mark.parametrize(
    "operation",
    [op for client in CLIENTS for op in client_operations(client) if op.kind == "query"],
    ids=lambda op: f"{op.client}/{op.name}",
)
def test_every_query_operation_validates_against_its_schema(operation) -> None:  # type: ignore[no-untyped-def]
    schema = build_schema(operation.client)._schema
    errors = validate(schema, parse(operation.document))
    assert errors == []


def test_each_client_has_its_operations() -> None:
    for client in CLIENTS:
        names = {op.name for op in client_operations(client)}
        assert {"PlaceOrder", "CancelOrder", "TrackOrder"} <= names


@pytest.mark.skipif(not SHARED_OPERATIONS.is_dir(), reason="../shared/operations is absent")
def test_operations_copy_matches_shared() -> None:
    shared = {
        p.relative_to(SHARED_OPERATIONS): p.read_bytes()
        for p in SHARED_OPERATIONS.rglob("*")
        if p.is_file()
    }
    ours = {
        p.relative_to(OPERATIONS_DIR): p.read_bytes()
        for p in OPERATIONS_DIR.rglob("*")
        if p.is_file()
    }
    assert ours == shared, "schema/operations differs from ../shared/operations: copy it again"
