"""The caller's locale, negotiated from ``Accept-Language`` the way Babel parses tags."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

FALLBACK = "en"


@lru_cache(maxsize=1024)
def negotiate_locale(header: str | None, default: str = FALLBACK) -> Locale:
    """The best locale the header asks for, by q-value; a tag falls back to its language."""
    for tag in _tags_by_preference(header or ""):
        locale = _parse(tag) or _parse(tag.split("-")[0])
        if locale is not None:
            return locale
    # The default is configured, often in Babel's own ``pt_PT`` form: accept both separators.
    return _parse(default.replace("_", "-")) or Locale.parse(FALLBACK)


def _tags_by_preference(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().replace("_", "-")
        if not tag or tag == "*":
            continue
        quality = _quality(params)
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def _parse(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None
