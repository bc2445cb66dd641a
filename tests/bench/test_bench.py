"""The benchmark suite's own logic (levels and the critical chain read from the fanout), and a
short run of it end to end: the suite must keep working, whatever the figures it prints."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def bench_module(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    return importlib.import_module(name)


def call(service: str, start: float, duration: float, cache: str = "miss") -> dict[str, Any]:
    return {"service": service, "startMs": start, "durationMs": duration, "cache": cache}


# MyOrders as the fanout reports it: the page, then three calls side by side, then couriers.
MY_ORDERS = [
    call("orders", 1.0, 21.0),
    call("deliveries", 22.5, 21.0),
    call("restaurants", 22.9, 21.0),
    call("menu-items", 23.3, 21.0),
    call("couriers", 44.6, 21.0),
]


def test_levels_are_rounds_of_calls_that_waited_for_each_other() -> None:
    run = bench_module("run")
    assert run.measured_levels({"calls": MY_ORDERS}) == 3
    side_by_side = [call("orders", 1.0, 21.0), call("deliveries", 1.2, 21.0)]
    assert run.measured_levels({"calls": side_by_side}) == 1
    # Cache hits cost no level.
    assert run.measured_levels({"calls": [*side_by_side, call("menu", 30, 0.1, "hit")]}) == 1


def test_the_critical_chain_is_the_calls_that_ended_last() -> None:
    timeline = bench_module("timeline")
    chain = timeline.critical_path(MY_ORDERS)
    # Menu items ended last of the second level, before the couriers went out.
    assert [c["service"] for c in chain] == ["orders", "menu-items", "couriers"]
    phases = timeline.phases(70.0, chain)
    assert phases[0] == 1.0  # the first call went out
    assert phases[1::2] == [21.0, 21.0, 21.0]  # each level's call
    assert phases[2::2] == pytest.approx([1.3, 0.3, 4.4])  # the gaps, then what followed
    assert sum(phases) == pytest.approx(70.0)


@pytest.mark.skipif(
    not (shutil.which("wrk") and shutil.which("taskset")) or (os.cpu_count() or 1) < 2,
    reason="needs wrk, taskset and two CPUs",
)
def test_a_quick_run_prints_every_operation_at_its_minimum(tmp_path: Path) -> None:
    results = tmp_path / "results.md"
    subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--output", str(results)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    report = results.read_text()
    cold, loaded = report.split("Throughput")
    for op in bench_module("run").OPERATIONS:
        calls, minimum, levels, floor_levels = table_rows(cold)[f"{op.client}/{op.name}"][:4]
        assert calls == minimum, op.name
        # Levels come from timings: a stall of the machine could add one, never remove one.
        assert int(levels) >= int(floor_levels) >= 1, op.name
    for load in ("mobile/MyOrders", "mobile/RestaurantMenu", "web/OrderHistory", "mix"):
        requests_per_s, errors = table_rows(loaded)[load][0], table_rows(loaded)[load][4]
        assert float(requests_per_s) > 0 and errors == "0", load
    assert re.search(r"after each round of load \(MB\): \d+", report)


def table_rows(text: str) -> dict[str, list[str]]:
    """A Markdown table's rows by their first cell."""
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("|")]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}


@pytest.mark.skipif(
    not shutil.which("taskset") or (os.cpu_count() or 1) < 2, reason="needs taskset, two CPUs"
)
def test_two_checkouts_are_compared_request_by_request() -> None:
    # This checkout against itself: the tool runs end to end and reports both, paired.
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "latency_ab.py"),
            "--source",
            str(BENCH.parent),
            "--requests",
            "4",
            "--operation",
            "RestaurantMenu",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    other, now, paired = table_rows(done.stdout)["mobile/RestaurantMenu"]
    # The floor of one level is 20 ms: no answer could have come sooner.
    assert float(other) >= 20 and float(now) >= 20
    assert re.fullmatch(r"[+-]\d+\.\d\d", paired)
