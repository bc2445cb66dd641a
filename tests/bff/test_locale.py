"""Accept-Language negotiation, checked through how it makes money read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from bff.locale import negotiate_locale
from schema.common.money import format_money


def _plain_spaces(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_english() -> None:
    assert format_money(1979, "EUR", negotiate_locale("en")) == "€19.79"


@pytest.mark.parametrize("header", ["pt-PT", "de-DE", "de", "pt-pt", "de_DE"])
def test_comma_locales(header: str) -> None:
    locale = negotiate_locale(header)
    formatted = format_money(1979, "EUR", locale)
    # Exactly Babel's rendering, including its non-breaking space characters.
    assert formatted == format_currency(Decimal("19.79"), "EUR", locale=locale)
    assert _plain_spaces(formatted) == "19,79 €"


def test_region_is_kept() -> None:
    locale = negotiate_locale("pt-PT")
    assert (locale.language, locale.territory) == ("pt", "PT")


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr;q=0.5, de;q=0.9", "de"),
        ("de;q=0.9, fr;q=0.5", "de"),
        ("fr, de;q=0.9", "fr"),
        ("fr;q=0.8, de;q=0.8", "fr"),  # ties keep the header's order
        ("fr;q=0, de;q=0.1", "de"),  # q=0 means "not this one"
        ("*, de;q=0.5", "de"),
        ("fr;q=bogus, de;q=0.2", "de"),
        ("de;q=7, fr;q=0.9", "de"),  # out-of-range q is clamped to 1
    ],
)
def test_q_values(header: str, language: str) -> None:
    assert negotiate_locale(header).language == language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-XX", "de"),
        ("pt-ZZ;q=1, en;q=0.1", "pt"),
        ("xx-YY", "en"),
        ("xx-YY, fr;q=0.2", "fr"),
    ],
)
def test_unknown_tag_falls_back_to_language_then_en(header: str, expected: str) -> None:
    assert negotiate_locale(header).language == expected


@pytest.mark.parametrize(
    "header", [None, "", "!!!", ";;;", ",,,", "q=0.5", "123", "*", "de;q=0", "\x00\xff"]
)
def test_garbage_is_english(header: str | None) -> None:
    locale = negotiate_locale(header)
    assert str(locale) == "en"
    assert format_money(1979, "EUR", locale) == "€19.79"


def test_default_is_used_when_nothing_matches() -> None:
    assert str(negotiate_locale("xx", default="de-DE")) == "de_DE"
    assert str(negotiate_locale("xx", default="pt_PT")) == "pt_PT"
    assert str(negotiate_locale("xx", default="not a locale")) == "en"
