"""``bff config show`` and the messages for invalid settings."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bff.cli import main
from bff.config import MASK, SettingsError, effective_settings, load_settings
from bff.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> Iterator[None]:
    # No developer's .env, and settings read anew from this test's environment.
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_config_show_prints_every_setting_by_variable_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BFF_JWT_SECRET", "s3cret-value-that-is-long-enough")
    monkeypatch.setenv("BFF_REDIS_URL", "redis://cache:hunter2@redis:6379/0")
    monkeypatch.setenv("BFF_COURIER__READ_TIMEOUT_S", "0.5")

    assert main(["config", "show"]) == 0

    out = capsys.readouterr().out
    lines = dict(line.split("=", 1) for line in out.splitlines())
    assert lines["BFF_JWT_SECRET"] == MASK
    assert lines["BFF_REDIS_URL"] == f"redis://cache:{MASK}@redis:6379/0"
    assert lines["BFF_COURIER__READ_TIMEOUT_S"] == "0.5"
    assert lines["BFF_MENU__READ_TIMEOUT_S"] == "2.0"
    assert lines["BFF_ENV"] == "development"
    assert lines["BFF_OTEL_EXPORTER"] == "none"
    assert "s3cret" not in out and "hunter2" not in out


def test_config_show_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json"]) == 0

    shown = json.loads(capsys.readouterr().out)
    assert shown["BFF_JWT_SECRET"] == MASK
    assert shown["BFF_ORDER__RETRY_ATTEMPTS"] == "3"


def test_every_secret_looking_setting_is_masked() -> None:
    shown = effective_settings(Settings(jwt_secret="x" * 40, redis_url="redis://:pw@r:6379"))

    assert shown["BFF_JWT_SECRET"] == MASK
    assert shown["BFF_REDIS_URL"] == f"redis://:{MASK}@r:6379"
    assert all("pw" not in value for value in shown.values())


def test_invalid_settings_name_the_variable_and_exit_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BFF_COURIER__READ_TIMEOUT_S", "-1")
    monkeypatch.setenv("BFF_OTEL_EXPORTER", "jaeger")
    monkeypatch.setenv("BFF_REQUEST_DEADLINE_S", "soon")

    assert main(["config", "show"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err
    assert "invalid settings" in err
    assert "BFF_COURIER__READ_TIMEOUT_S: Input should be greater than 0 (got '-1')" in err
    assert "BFF_OTEL_EXPORTER:" in err and "'jaeger'" in err
    assert "BFF_REQUEST_DEADLINE_S:" in err and "'soon'" in err
    assert "Traceback" not in err


def test_a_rule_over_several_settings_keeps_its_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BFF_ENV", "production")

    assert main(["config", "show"]) == 2

    assert "BFF_JWT_SECRET must be set to a real secret" in capsys.readouterr().err


def test_a_secret_value_is_never_echoed_in_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_JWT_SECRET", "")

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert raised.value.lines == [f"BFF_JWT_SECRET: BFF_JWT_SECRET must not be empty (got {MASK})"]


def test_fanout_is_refused_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_ENV", "production")
    monkeypatch.setenv("BFF_JWT_SECRET", "a-real-secret-of-enough-length-0123456789")
    monkeypatch.setenv("BFF_FANOUT", "true")

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert any("BFF_FANOUT is for development only" in line for line in raised.value.lines)
