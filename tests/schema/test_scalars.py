"""The DateTime scalar: RFC 3339 in UTC with a Z suffix, whatever zone a time came in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from schema.common.scalars import parse_datetime, serialize_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 12, 4, 7, 28, 50, tzinfo=UTC), "2026-12-04T07:28:50Z"),
        (datetime(2026, 12, 4, 7, 28, 50, 120000, tzinfo=UTC), "2026-12-04T07:28:50.120000Z"),
        (
            datetime(2026, 12, 4, 8, 28, 50, tzinfo=timezone(timedelta(hours=1))),
            "2026-12-04T07:28:50Z",
        ),
        (datetime(2026, 12, 4, 7, 28, 50), "2026-12-04T07:28:50Z"),  # naive: taken as UTC
    ],
)
def test_serialised_in_utc_with_z(value: datetime, expected: str) -> None:
    assert serialize_datetime(value) == expected


def test_round_trip() -> None:
    value = datetime(2026, 12, 4, 7, 28, 50, tzinfo=UTC)
    assert parse_datetime(serialize_datetime(value)) == value
