"""The event log's replay rules, at a capacity small enough to overflow."""

from __future__ import annotations

from mocks.events import EventLog


def test_replay_after_a_kept_id() -> None:
    log = EventLog(capacity=3)
    for n in range(5):
        log.append("thing.happened", {"n": n})
    assert log.since(None) == []
    assert [e.id for e in log.since("3") or []] == [4, 5]
    assert [e.id for e in log.since("2") or []] == [3, 4, 5]
    assert log.since("5") == []


def test_ids_no_longer_kept_or_not_numbers_mean_reset() -> None:
    log = EventLog(capacity=3)
    for n in range(5):
        log.append("thing.happened", {"n": n})
    assert log.since("1") is None
    assert log.since("abc") is None
    assert log.since("99") is None


def test_frame_format() -> None:
    event = EventLog().append("order.created", {"order_id": "o_1"})
    assert event.encode() == b'id: 1\nevent: order.created\ndata: {"order_id":"o_1"}\n\n'
