"""Where the BFF's CPU goes under load: py-spy samples the BFF while wrk sends ``MyOrders``
(32 clients, as 32 customers in turn, cache on, 20 ms downstream latency), and the top
entries are printed and kept.

Run: .venv/bin/python bench/profile_under_load.py --label after [--source OTHER_CHECKOUT]
Writes ``bench/profiles/<label>.txt``; ``--source`` measures another checkout (e.g. an older
commit in a git worktree) with this one's harness, for before/after comparisons.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from harness import ROOT
from run import OPERATIONS, load_request, load_world, loaded_bff, wrk, wrk_with_cpu

TOP = 25


def summarise(raw: Path) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """The top functions by their own time and by inclusive time (line numbers folded)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [re.sub(r":\d+\)", ")", frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    project = ("bff/", "clients/", "schema/")
    return (
        [(n / total, f) for f, n in own.most_common(TOP)],
        [(n / total, f) for f, n in inclusive.most_common(400) if any(p in f for p in project)][
            :TOP
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--label", required=True)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    my_orders = next(op for op in OPERATIONS if op.name == "MyOrders")
    with load_world() as world, loaded_bff(world, source=args.source) as (url, pid):
        requests = [load_request(my_orders, world.active_order)]
        wrk(url, requests, world.tokens, 3)  # warm up
        with tempfile.TemporaryDirectory() as scratch:
            raw = Path(scratch) / "profile.raw"
            record = [py_spy, "record", "-p", str(pid), "-d", str(args.seconds - 2)]
            recorder = threading.Thread(
                target=subprocess.run,
                args=([*record, "-r", "200", "-f", "raw", "-o", str(raw)],),
                kwargs={"capture_output": True},
            )
            recorder.start()
            figures = wrk_with_cpu(url, pid, requests, world.tokens, args.seconds)
            recorder.join()
            own, inclusive = summarise(raw)
    lines = [
        f"MyOrders under load ({args.label}): {figures['rps']:.0f} requests/s, "
        f"p95 {figures['p95']:.0f} ms, {figures['cpu_ms']:.2f} CPU ms per request",
        "",
        "Own time:",
        *(f"  {share:6.1%}  {frame}" for share, frame in own),
        "",
        "Inclusive time, project code:",
        *(f"  {share:6.1%}  {frame}" for share, frame in inclusive),
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "profiles" / f"{args.label}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report + "\n")


if __name__ == "__main__":
    main()
