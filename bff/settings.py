"""The one typed settings object: environment variables prefixed ``BFF_``, read once at start."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-secret-change-me"

ClientName = Literal["mobile", "web"]


class ServiceSettings(BaseModel):
    """Timeouts, pool, retries, breaker and bulkhead of one downstream service."""

    connect_timeout_s: float = Field(default=1.0, gt=0)
    read_timeout_s: float = Field(default=2.0, gt=0)
    max_connections: int = Field(default=100, ge=1)
    max_concurrent: int = Field(default=100, ge=1)
    bulkhead_wait_s: float = Field(default=0.1, ge=0)
    retry_attempts: int = Field(default=3, ge=1)
    retry_base_delay_s: float = Field(default=0.05, ge=0)
    retry_max_delay_s: float = Field(default=0.5, ge=0)
    retry_budget_ratio: float = Field(default=0.1, ge=0, le=1)
    retry_budget_floor: int = Field(default=10, ge=0)
    breaker_enabled: bool = True
    breaker_window_s: float = Field(default=10.0, gt=0)
    breaker_min_calls: int = Field(default=10, ge=1)
    breaker_failure_ratio: float = Field(default=0.5, gt=0, le=1)
    breaker_open_s: float = Field(default=5.0, gt=0)
    breaker_half_open_probes: int = Field(default=2, ge=1)


class OperationLimitSettings(BaseModel):
    """What one operation may ask of a client's BFF (see ``bff.operation_limits``)."""

    max_depth: int = Field(default=12, ge=1)
    max_aliases: int = Field(default=15, ge=0)
    max_root_fields: int = Field(default=10, ge=1)
    max_tokens: int = Field(default=2000, ge=10)
    max_cost: int = Field(default=10_000, ge=1)
    # A connection without ``first`` costs as if it asked for this many; ``first`` is capped too.
    page_size_cap: int = Field(default=50, ge=1)
    # The length a list without ``first`` (an order's items, a menu) is assumed to have.
    list_size: int = Field(default=10, ge=1)


class Settings(BaseSettings):
    """Everything the BFFs can be told from outside; tests build their own instances."""

    model_config = SettingsConfigDict(
        env_prefix="BFF_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: Literal["development", "production"] = "development"

    menu_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8101")
    order_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8102")
    courier_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8103")

    # How each service is called and protected (BFF_COURIER__READ_TIMEOUT_S=0.5, …).
    menu: ServiceSettings = Field(default_factory=lambda: ServiceSettings())
    order: ServiceSettings = Field(default_factory=lambda: ServiceSettings())
    courier: ServiceSettings = Field(default_factory=lambda: ServiceSettings())
    # Every downstream call of a GraphQL request fits in what is left of this.
    request_deadline_s: float = Field(default=2.0, gt=0)
    # The cyclic garbage collector's first threshold (see bff/gc_tuning.py); 0 leaves Python's.
    gc_gen0_threshold: int = Field(default=50_000, ge=0)
    # In-flight requests get this long to finish on SIGTERM.
    shutdown_grace_s: int = Field(default=10, ge=0)

    # The HTTP cache of downstream answers: in process, or in Redis shared by replicas.
    cache_enabled: bool = True
    redis_url: str | None = None
    cache_max_entries: int = Field(default=20_000, ge=1)
    cache_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    stale_if_error_s: float = Field(default=300.0, ge=0)

    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithms: list[str] = ["HS256"]
    dev_user: str = "u_1"

    default_locale: str = "en"

    # GraphiQL on GET from a browser: None means on in development, off in production.
    graphiql: bool | None = None

    # Observability (README, "Operations"). Logs: None means json in production, text in
    # development.
    log_format: Literal["json", "text"] | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    metrics_enabled: bool = True
    # Traces: no exporter (no spans made) by default; otlp sends OTLP/HTTP to otel_endpoint.
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_endpoint: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:4318/v1/traces")
    otel_service_name: str = "food-bff"
    otel_sample_ratio: float = Field(default=1.0, ge=0, le=1)
    # extensions.fanout in every response (development only; X-BFF-Fanout: 1 asks per request).
    fanout: bool = False

    # What `bff serve` runs when not told on the command line (containers set these).
    client: Literal["mobile", "web", "all"] = "all"
    workers: int = Field(default=1, ge=1)

    # Edge protection (see bff.edge and the README's "Edge protection").
    mobile_limits: OperationLimitSettings = Field(
        default_factory=lambda: OperationLimitSettings(page_size_cap=50)
    )
    web_limits: OperationLimitSettings = Field(
        default_factory=lambda: OperationLimitSettings(page_size_cap=100, max_cost=50_000)
    )
    # Introspection: None means on in development, off in production.
    introspection: bool | None = None
    persisted_queries: bool = True
    persisted_queries_max_entries: int = Field(default=10_000, ge=1)
    persisted_queries_ttl_s: int = Field(default=7 * 24 * 3600, ge=1)
    # Clients that may run only their registered operations: None means mobile in production.
    trusted_documents: list[ClientName] | None = None
    # Token buckets per user and per client IP: None means on in production only.
    rate_limits: bool | None = None
    rate_limit_user_per_s: float = Field(default=10.0, gt=0)
    rate_limit_user_burst: int = Field(default=40, ge=1)
    rate_limit_ip_per_s: float = Field(default=50.0, gt=0)
    rate_limit_ip_burst: int = Field(default=200, ge=1)
    max_body_bytes: int = Field(default=100_000, ge=1024)
    max_batch_operations: int = Field(default=10, ge=1)
    cors_origins: list[str] = []
    # Bearer tokens signed by an identity provider, verified against its JWKS.
    jwt_jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_leeway_s: float = Field(default=0.0, ge=0)
    jwks_min_refresh_interval_s: float = Field(default=30.0, ge=0)
    # HS256 with BFF_JWT_SECRET is for development; production refuses it unless this is set.
    jwt_allow_hs256_in_production: bool = False

    @field_validator("jwt_algorithms")
    @classmethod
    def _known_algorithms(cls, value: list[str]) -> list[str]:
        allowed = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384"}
        unknown = [algorithm for algorithm in value if algorithm not in allowed]
        if unknown or not value:
            raise ValueError(f"BFF_JWT_ALGORITHMS: not allowed {unknown}; use {sorted(allowed)}")
        return value

    @field_validator("jwt_secret")
    @classmethod
    def _secret_not_empty(cls, value: str) -> str:
        if not value:
            raise ValueError("BFF_JWT_SECRET must not be empty")
        return value

    @model_validator(mode="after")
    def _no_dev_secret_in_production(self) -> Settings:
        if self.env == "production" and self.jwt_secret == DEV_JWT_SECRET:
            raise ValueError("BFF_JWT_SECRET must be set to a real secret when BFF_ENV=production")
        if self.env == "production" and self.fanout:
            raise ValueError("BFF_FANOUT is for development only; unset it when BFF_ENV=production")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else not self.is_production

    @property
    def rate_limits_enabled(self) -> bool:
        return self.rate_limits if self.rate_limits is not None else self.is_production

    def trusts_only_registered(self, client: str) -> bool:
        """Whether ``client`` runs only its registered (trusted) documents."""
        if self.trusted_documents is not None:
            return client in self.trusted_documents
        return self.is_production and client == "mobile"

    @property
    def accepted_jwt_algorithms(self) -> list[str]:
        """``BFF_JWT_ALGORITHMS`` less HS* in production unless explicitly allowed."""
        if self.is_production and not self.jwt_allow_hs256_in_production:
            return [a for a in self.jwt_algorithms if not a.startswith("HS")]
        return list(self.jwt_algorithms)

    def operation_limits(self, client: str) -> OperationLimitSettings:
        limits: OperationLimitSettings = getattr(self, f"{client}_limits")
        return limits

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        if self.log_format is not None:
            return self.log_format
        return "json" if self.is_production else "text"

    def service(self, service: str) -> ServiceSettings:
        policy: ServiceSettings = getattr(self, service)
        return policy

    def base_url(self, service: str) -> str:
        url: AnyHttpUrl = getattr(self, f"{service}_url")
        return str(url).rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
