"""Validation results cached by the document's text.

strawberry's ``ValidationCache`` keys its cache by the parsed document. graphql-core's syntax
nodes are frozen dataclasses that do not keep their hash, so every request hashed its whole
tree again: 20 to 30 µs for ``MyOrders``, about 37 for ``OrderHistory`` (``bench/micro.py``).
A string keeps its hash, and the same text always parses to an equivalent document, so the
text is as good a key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from cachetools import LRUCache
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Key = tuple[str, tuple[type[ASTValidationRule], ...]]


class TextValidationCache(SchemaExtension):
    def __init__(self, results: LRUCache[Key, list[GraphQLError]], lock: threading.Lock) -> None:
        self._results = results
        self._lock = lock

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if context.query is not None and document is not None:
            # The rules are part of the key: extensions may add some per request.
            key = (context.query, context.validation_rules)
            with self._lock:
                errors = self._results.get(key)
            if errors is None:
                errors = validate_document(context.schema._schema, document, key[1])
                with self._lock:
                    self._results[key] = errors
            context.pre_execution_errors = errors
        yield


def text_validation_cache(maxsize: int) -> Callable[[], SchemaExtension]:
    """A factory of the extension (a fresh one per request) over one cache per schema."""
    results: LRUCache[Key, list[GraphQLError]] = LRUCache(maxsize=maxsize)
    lock = threading.Lock()  # one schema serves every thread's requests in tests
    return lambda: TextValidationCache(results, lock)
