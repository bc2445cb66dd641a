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
    max_keepalive_connections: int = Field(default=50, ge=0)
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
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else not self.is_production

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
