"""The garbage-collector tuning applied when a BFF starts."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bff import gc_tuning


@pytest.fixture
def restore_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    frozen = gc_tuning._frozen
    yield
    gc.set_threshold(*thresholds)
    if not frozen:
        gc.unfreeze()
    gc_tuning._frozen = frozen


@pytest.mark.usefixtures("restore_gc")
def test_zero_leaves_pythons_thresholds() -> None:
    before = gc.get_threshold()
    gc_tuning.tune_garbage_collector(0)
    assert gc.get_threshold() == before


@pytest.mark.usefixtures("restore_gc")
def test_raises_the_first_threshold_and_freezes_start_up_objects_once() -> None:
    gc_tuning._frozen = False
    gc_tuning.tune_garbage_collector(50_000)
    assert gc.get_threshold()[0] == 50_000
    frozen_after_first = gc.get_freeze_count()
    assert frozen_after_first > 0

    # Containers, which the collector tracks (unlike plain objects).
    garbage: list[list[int]] = [[] for _ in range(10_000)]
    gc_tuning.tune_garbage_collector(40_000)
    assert gc.get_threshold()[0] == 40_000
    # A second start in the same process does not freeze what the first left behind. (The
    # count may fall: frozen objects that other code frees leave the permanent generation.)
    assert gc.get_freeze_count() < frozen_after_first + len(garbage) // 2
    del garbage
