"""Settings: production refuses the development secret; base URLs come without a trailing slash."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bff.settings import DEV_JWT_SECRET, Settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="BFF_JWT_SECRET"):
        _settings(env="production", jwt_secret=DEV_JWT_SECRET)


def test_production_with_a_real_secret() -> None:
    settings = _settings(env="production", jwt_secret="s" * 40)
    assert settings.is_production


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValidationError):
        _settings(jwt_secret="")


def test_base_url_has_no_trailing_slash() -> None:
    settings = _settings(menu_url="http://menu.internal:8080/")
    assert settings.base_url("menu") == "http://menu.internal:8080"
    assert settings.base_url("order") == "http://127.0.0.1:8102"


def test_environment_is_read_with_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_COURIER_URL", "http://courier.internal")
    monkeypatch.setenv("BFF_COURIER__READ_TIMEOUT_S", "0.5")
    monkeypatch.setenv("BFF_COURIER__BREAKER_OPEN_S", "1.5")
    settings = _settings()
    assert settings.base_url("courier") == "http://courier.internal"
    assert settings.service("courier").read_timeout_s == 0.5
    assert settings.service("courier").breaker_open_s == 1.5
    assert settings.service("menu").read_timeout_s == 2.0


def test_timeouts_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_MENU__READ_TIMEOUT_S", "0")
    with pytest.raises(ValidationError, match="read_timeout_s"):
        _settings()
