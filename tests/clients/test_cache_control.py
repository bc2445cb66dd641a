"""Cache-Control is read conservatively: unclear answers are never shared, and often not kept."""

from __future__ import annotations

import pytest

from clients._cache_control import Freshness, Scope, parse_cache_control


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("public, max-age=60", Freshness(Scope.PUBLIC, 60)),
        ("public, max-age=300", Freshness(Scope.PUBLIC, 300)),
        ("Public,Max-Age=30", Freshness(Scope.PUBLIC, 30)),
        ('public, max-age="60"', Freshness(Scope.PUBLIC, 60)),
        ("public, s-maxage=45", Freshness(Scope.PUBLIC, 45)),
        ("private, max-age=2", Freshness(Scope.PRIVATE, 2)),
        # Without "public", an answer may hold one user's data: kept per user only.
        ("max-age=60", Freshness(Scope.PRIVATE, 60)),
        ("public, private, max-age=60", Freshness(Scope.PRIVATE, 60)),
    ],
)
def test_storable_answers(header: str, expected: Freshness) -> None:
    freshness = parse_cache_control(header)
    assert freshness == expected
    assert freshness.storable


@pytest.mark.parametrize(
    "header",
    [
        "private, no-store",
        "public, max-age=60, no-store",
        "no-cache",
        "public, max-age=60, no-cache",
    ],
)
def test_no_store_and_no_cache_are_never_stored(header: str) -> None:
    freshness = parse_cache_control(header)
    assert freshness.scope is Scope.NO_STORE
    assert not freshness.storable


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        ",,,",
        "public",
        "public, max-age=soon",
        "max-age=",
        "max-age=0",
        "public, max-age=-5",
    ],
)
def test_missing_or_unclear_is_not_stored(header: str | None) -> None:
    freshness = parse_cache_control(header)
    assert not freshness.storable
    assert freshness.scope is not Scope.PUBLIC or freshness.max_age_s == 0
