"""The one typed settings object: environment variables prefixed ``BFF_``, read once at start."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AnyHttpUrl, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-secret-change-me"

ClientName = Literal["mobile", "web"]


class Settings(BaseSettings):
    """Everything the BFFs can be told from outside; tests build their own instances."""

    model_config = SettingsConfigDict(
        env_prefix="BFF_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["development", "production"] = "development"

    menu_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8101")
    order_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8102")
    courier_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8103")

    # Downstream transport: per-call timeouts and connection pool per service.
    connect_timeout_s: float = Field(default=1.0, gt=0)
    read_timeout_s: float = Field(default=2.0, gt=0)
    max_connections: int = Field(default=100, ge=1)
    max_keepalive_connections: int = Field(default=50, ge=0)

    jwt_secret: str = DEV_JWT_SECRET
    jwt_algorithms: list[str] = ["HS256"]
    dev_user: str = "u_1"

    default_locale: str = "en"

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

    def base_url(self, service: str) -> str:
        url: AnyHttpUrl = getattr(self, f"{service}_url")
        return str(url).rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
