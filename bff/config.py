"""The effective settings as operators see them: by environment variable, secrets masked, and
validation errors that name the variable to fix."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from bff.settings import Settings

ENV_PREFIX = "BFF_"
MASK = "********"
# A field whose name holds one of these is a secret, whatever its value.
_SECRET_WORDS = ("secret", "password", "token", "private_key", "api_key")


class SettingsError(Exception):
    """The environment does not describe valid settings; ``lines`` say what to fix."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def load_settings() -> Settings:
    """The settings from the environment (and ``.env``); ``SettingsError`` when invalid."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError(settings_error_lines(error)) from None


def env_name(location: tuple[int | str, ...]) -> str:
    """``("menu", "read_timeout_s")`` → ``BFF_MENU__READ_TIMEOUT_S`` (list indexes dropped)."""
    names = [str(part) for part in location if isinstance(part, str)]
    return ENV_PREFIX + "__".join(names).upper()


def settings_error_lines(error: ValidationError) -> list[str]:
    """One line per problem, naming the environment variable and, unless secret, its value."""
    lines = []
    for problem in error.errors():
        location = tuple(problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        if not location:  # a rule over several settings: its message names them
            lines.append(message)
            continue
        name = env_name(location)
        shown = MASK if _is_secret(name) else repr(problem.get("input"))
        got = f" (got {shown})" if problem["type"] != "missing" else ""
        lines.append(f"{name}: {message}{got}")
    return lines


def effective_settings(settings: Settings) -> dict[str, str]:
    """Every setting by environment variable name, nested ones flattened, secrets masked."""
    flat: dict[str, str] = {}
    _flatten(settings, (), flat)
    return flat


def settings_report(settings: Settings, *, as_json: bool = False) -> str:
    values = effective_settings(settings)
    if as_json:
        return json.dumps(values, indent=2, sort_keys=True)
    return "\n".join(f"{name}={value}" for name, value in sorted(values.items()))


def _flatten(model: BaseModel, location: tuple[str, ...], into: dict[str, str]) -> None:
    for field in type(model).model_fields:
        value = getattr(model, field)
        here = (*location, field)
        if isinstance(value, BaseModel):
            _flatten(value, here, into)
            continue
        name = env_name(here)
        into[name] = _shown(name, value)


def _shown(name: str, value: Any) -> str:
    if value is None:
        return ""
    if _is_secret(name):
        return MASK
    if isinstance(value, list):
        return json.dumps([str(item) for item in value])
    if isinstance(value, bool):
        return "true" if value else "false"
    return _without_password(str(value))


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _without_password(text: str) -> str:
    """A URL's password (``redis://:pw@host``) masked; anything else unchanged."""
    if "://" not in text or "@" not in text:
        return text
    parts = urlsplit(text)
    if parts.password is None:
        return text
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))
