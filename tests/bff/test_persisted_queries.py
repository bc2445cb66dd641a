"""Persisted documents: the APQ protocol and trusted documents, and the manifest's drift."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bff.persisted_queries import (
    TRUSTED_DOCUMENTS_PATH,
    MemoryDocumentStore,
    PersistedDocuments,
    PersistedQueryError,
    document_hash,
    registered_manifest,
    trusted_documents,
)
from schema.operations import client_operations

QUERY = "{ __typename }"


def _apq(sha256: str) -> dict[str, object]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256}}


def _documents(*, trusted_only: bool = False) -> PersistedDocuments:
    return PersistedDocuments(
        MemoryDocumentStore(10), trusted_documents("mobile"), True, trusted_only
    )


def test_the_manifest_is_up_to_date() -> None:
    current = TRUSTED_DOCUMENTS_PATH.read_text(encoding="utf-8")
    assert current == registered_manifest(), "run: bff operations register"
    check = [sys.executable, "-m", "bff.cli", "operations", "register", "--check"]
    assert subprocess.run(check, capture_output=True).returncode == 0


async def test_apq_round_trip() -> None:
    documents = _documents()
    sha256 = document_hash(QUERY)
    with pytest.raises(PersistedQueryError) as missing:
        await documents.resolve(None, _apq(sha256))
    assert (missing.value.message, missing.value.code) == (
        "PersistedQueryNotFound",
        "PERSISTED_QUERY_NOT_FOUND",
    )
    assert await documents.resolve(QUERY, _apq(sha256)) == QUERY
    assert await documents.resolve(None, _apq(sha256)) == QUERY


async def test_a_hash_that_does_not_match_is_refused() -> None:
    with pytest.raises(PersistedQueryError) as refused:
        await _documents().resolve(QUERY, _apq("0" * 64))
    assert refused.value.code == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_trusted_documents_run_by_hash_text_or_canonical_form_and_nothing_else() -> None:
    documents = _documents(trusted_only=True)
    operation = client_operations("mobile")[0].document
    assert await documents.resolve(None, _apq(document_hash(operation))) == operation
    assert await documents.resolve(operation, None) == operation
    respaced = " ".join(operation.split())
    assert await documents.resolve(respaced, None) == respaced
    for query, extensions in [(QUERY, None), (QUERY, _apq(document_hash(QUERY)))]:
        with pytest.raises(PersistedQueryError) as refused:
            await documents.resolve(query, extensions)
        assert refused.value.code == "OPERATION_NOT_TRUSTED"
