"""The edge of one BFF process: what protects it, built once from the settings (token
verification, persisted documents, rate limits, operation limits, production rules)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import ASTValidationRule, GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension

from bff.auth import TokenVerifier
from bff.jwks import JwksKeys
from bff.operation_limits import CostLimit, OperationCost, shape_rule
from bff.persisted_queries import (
    DocumentStore,
    MemoryDocumentStore,
    PersistedDocuments,
    RedisDocumentStore,
    trusted_documents,
)
from bff.rate_limits import BucketRule, MemoryBuckets, RateLimiter, RedisBuckets
from bff.settings import Settings

ExtensionFactory = Callable[[], SchemaExtension]

_SUGGESTION = re.compile(r"\s*Did you mean .*\?$")


@dataclass
class Edge:
    settings: Settings
    verifier: TokenVerifier
    document_store: DocumentStore
    rate_limiter: RateLimiter | None
    keys: JwksKeys | None
    redis: Any = None

    @classmethod
    def from_settings(
        cls, settings: Settings, *, jwks_transport: httpx.AsyncBaseTransport | None = None
    ) -> Edge:
        redis = None
        if settings.redis_url:
            from redis.asyncio import Redis

            redis = Redis.from_url(settings.redis_url)
        keys = None
        if settings.jwt_jwks_url:
            keys = JwksKeys(
                settings.jwt_jwks_url,
                min_refresh_interval_s=settings.jwks_min_refresh_interval_s,
                transport=jwks_transport,
            )
        verifier = TokenVerifier(
            settings.jwt_secret,
            settings.accepted_jwt_algorithms,
            leeway_s=settings.jwt_leeway_s,
            keys=keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
        store: DocumentStore = (
            RedisDocumentStore(redis, settings.persisted_queries_ttl_s)
            if redis is not None
            else MemoryDocumentStore(settings.persisted_queries_max_entries)
        )
        limiter = None
        if settings.rate_limits_enabled:
            limiter = RateLimiter(
                RedisBuckets(redis) if redis is not None else MemoryBuckets(),
                per_user=BucketRule(settings.rate_limit_user_per_s, settings.rate_limit_user_burst),
                per_ip=BucketRule(settings.rate_limit_ip_per_s, settings.rate_limit_ip_burst),
            )
        return cls(settings, verifier, store, limiter, keys, redis)

    async def start(self) -> None:
        if self.keys is not None:
            await self.keys.refresh()

    async def aclose(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()

    def documents(self, client: str) -> PersistedDocuments:
        return PersistedDocuments(
            store=self.document_store,
            trusted=trusted_documents(client),
            apq_enabled=self.settings.persisted_queries,
            trusted_only=self.settings.trusts_only_registered(client),
        )

    def extensions(self, client: str) -> list[ExtensionFactory]:
        """The client's limit extensions; list them after the validation cache. The rule classes
        are made here, once, so the validation cache keeps hitting."""
        limits = self.settings.operation_limits(client)
        rules: list[type[ASTValidationRule]] = [shape_rule(limits)]
        if not self.settings.introspection_enabled:
            rules.append(NoSchemaIntrospectionCustomRule)
        cost = OperationCost(limits)  # one per client: the costs it remembers are the schema's
        factories: list[ExtensionFactory] = [
            lambda: MaxTokensLimiter(limits.max_tokens),
            lambda: AddValidationRules(rules),
            lambda: CostLimit(cost, limits.max_cost),
        ]
        if not self.settings.introspection_enabled:
            factories.append(NoSchemaSuggestions)
        return factories


class NoSchemaSuggestions(SchemaExtension):
    """Without introspection, validation messages must not spell the schema out either
    ("Did you mean 'secretField'?"); the rest of the message stays."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [_without_suggestion(error) for error in errors]


def _without_suggestion(error: GraphQLError) -> GraphQLError:
    if error.original_error is not None or not _SUGGESTION.search(error.message):
        return error
    return GraphQLError(
        _SUGGESTION.sub("", error.message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=error.extensions,
    )
