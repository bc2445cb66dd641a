"""Persisted queries: the Automatic Persisted Queries protocol (a document sent once, then by
its SHA-256) over a store in process or in Redis, and trusted documents (only the operations
registered at build time may run)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from cachetools import LRUCache
from graphql import GraphQLError, parse, print_ast

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
OPERATION_NOT_TRUSTED = "OPERATION_NOT_TRUSTED"

TRUSTED_DOCUMENTS_PATH = Path(__file__).resolve().parent / "trusted_documents.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class PersistedQueryError(Exception):
    """A document that cannot run: ``message`` is what the client sees (APQ clients match
    ``PersistedQueryNotFound`` on it), ``code`` goes to ``extensions.code``."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class DocumentStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, document: str) -> None: ...


class MemoryDocumentStore:
    """Bounded: the least recently used documents go first (clients simply send them again)."""

    def __init__(self, max_entries: int) -> None:
        self._documents: LRUCache[str, str] = LRUCache(maxsize=max_entries)

    async def get(self, sha256: str) -> str | None:
        return self._documents.get(sha256)

    async def put(self, sha256: str, document: str) -> None:
        self._documents[sha256] = document


class RedisDocumentStore:
    """Shared by every replica: a document registered with one is known to all."""

    def __init__(self, redis: Any, ttl_s: int, prefix: str = "bff:apq") -> None:
        self._redis = redis
        self._ttl_s = ttl_s
        self._prefix = prefix

    async def get(self, sha256: str) -> str | None:
        raw = await self._redis.get(f"{self._prefix}:{sha256}")
        return raw.decode() if isinstance(raw, bytes) else raw

    async def put(self, sha256: str, document: str) -> None:
        await self._redis.set(f"{self._prefix}:{sha256}", document, ex=self._ttl_s)


def trusted_manifest(client_documents: Mapping[str, list[str]]) -> dict[str, dict[str, str]]:
    """The manifest ``bff operations register`` writes: per client, hash -> document."""
    return {
        client: {document_hash(doc): doc for doc in sorted(documents)}
        for client, documents in sorted(client_documents.items())
    }


def render_manifest(manifest: Mapping[str, Mapping[str, str]]) -> str:
    return json.dumps(manifest, indent=2, sort_keys=True) + "\n"


def registered_manifest() -> str:
    """The manifest of every client's operations in ``schema/operations`` (the project's copy
    of the apps' documents), as ``bff operations register`` writes it."""
    from schema.build import CLIENTS
    from schema.operations import client_operations

    documents: dict[str, list[str]] = {
        c: [op.document for op in client_operations(c)] for c in CLIENTS
    }
    return render_manifest(trusted_manifest(documents))


@cache
def trusted_documents(client: str, path: Path = TRUSTED_DOCUMENTS_PATH) -> Mapping[str, str]:
    """The client's registered documents by hash (empty when none were registered), also
    under the hash of their canonical printing (clients such as gql send that)."""
    if not path.exists():
        return {}
    documents: dict[str, str] = json.loads(path.read_text(encoding="utf-8")).get(client, {})
    return documents | {document_hash(canonical(doc)): doc for doc in documents.values()}


def canonical(document: str) -> str:
    """The document as graphql-core prints it: the same operation however it was spaced."""
    return print_ast(parse(document, no_location=True, max_tokens=CANONICAL_MAX_TOKENS))


CANONICAL_MAX_TOKENS = 5000


@dataclass(frozen=True, slots=True)
class PersistedDocuments:
    """Turns a request's ``query`` and ``extensions`` into the document to run, or refuses."""

    store: DocumentStore
    trusted: Mapping[str, str]
    apq_enabled: bool
    trusted_only: bool

    async def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if self.trusted_only and query is not None:
                self._check_trusted(document_hash(query), query)
            return query
        sha256 = _requested_hash(persisted)
        if not (self.apq_enabled or self.trusted_only):
            raise PersistedQueryError("PersistedQueryNotSupported", PERSISTED_QUERY_NOT_SUPPORTED)
        if query is not None:
            return await self._register(query, sha256)
        document = self.trusted.get(sha256)
        if document is None and not self.trusted_only:
            document = await self.store.get(sha256)
        if document is None:
            raise PersistedQueryError("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND)
        return document

    async def _register(self, query: str, sha256: str) -> str:
        if document_hash(query) != sha256:
            raise PersistedQueryError(
                "provided sha does not match query", PERSISTED_QUERY_HASH_MISMATCH
            )
        if self.trusted_only:
            self._check_trusted(sha256)
        elif sha256 not in self.trusted:
            await self.store.put(sha256, query)
        return query

    def _check_trusted(self, sha256: str, query: str | None = None) -> None:
        if sha256 in self.trusted or (query is not None and _canonical_hash(query) in self.trusted):
            return
        raise PersistedQueryError(
            "Only the app's registered operations may run on this endpoint.",
            OPERATION_NOT_TRUSTED,
        )


@lru_cache(maxsize=256)
def _canonical_hash(query: str) -> str | None:
    try:
        return document_hash(canonical(query))
    except GraphQLError:
        return None


def _requested_hash(persisted: Any) -> str:
    if not isinstance(persisted, Mapping) or persisted.get("version") != 1:
        raise PersistedQueryError(
            "extensions.persistedQuery must be {version: 1, sha256Hash: <hex>}",
            PERSISTED_QUERY_NOT_SUPPORTED,
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise PersistedQueryError(
            "extensions.persistedQuery.sha256Hash must be 64 lowercase hex digits",
            PERSISTED_QUERY_NOT_SUPPORTED,
        )
    return sha256
