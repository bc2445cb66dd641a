"""Single-request latency of two checkouts of the BFF, side by side: both serve at once over the
same mocks, and requests go to one and then the other, one at a time. The machine's speed
wanders by more than a change is worth; alternating request by request, both BFFs see the
same machine, so the difference between them is the change's.

For each operation: the median latency over the requests of each BFF at 20 ms of downstream
latency (cache off), and the median of the paired differences (now minus the other).

Run: .venv/bin/python bench/latency_ab.py --source OTHER_CHECKOUT [--requests 200]
     [--operation MyOrders ...]
Same set-up as bench/run.py: the BFFs on CPU 0 (only one is ever busy), the mocks and this
client on CPU 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
from contextlib import ExitStack
from pathlib import Path

from harness import ROOT, bff, mocks, table
from run import (
    BFF_CPU,
    COLD,
    LATENCY_MS,
    OTHERS_CPU,
    active_order,
    operations_named,
    post,
    timed_post,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, required=True, help="the checkout to compare")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--operation", action="append", help="e.g. MyOrders (default: all)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {OTHERS_CPU})
    rows = []
    with ExitStack() as stack:
        urls = stack.enter_context(mocks(LATENCY_MS, cpu=OTHERS_CPU))
        order = active_order(urls)
        now = stack.enter_context(bff(urls, COLD, cpu=BFF_CPU))
        other = stack.enter_context(bff(urls, COLD, cpu=BFF_CPU, source=args.source))
        for op in operations_named(args.operation):
            took: dict[str, list[float]] = {now: [], other: []}
            for _ in range(3):  # warm up
                post(now, op, order), post(other, op, order)
            for i in range(args.requests):
                # Who goes first alternates too: neither always follows the other's request.
                for url in (now, other) if i % 2 == 0 else (other, now):
                    took[url].append(timed_post(url, op, order)[0])
            paired = [a - b for a, b in zip(took[now], took[other], strict=True)]
            rows.append(
                [
                    f"{op.client}/{op.name}",
                    f"{statistics.median(took[other]):.2f}",
                    f"{statistics.median(took[now]):.2f}",
                    f"{statistics.median(paired):+.2f}",
                ]
            )
    print(
        f"Single requests at {LATENCY_MS} ms, cache off, {args.requests} to each BFF in turn: "
        f"median latency (ms) of {args.source} (other) and of {ROOT.name} (now)"
    )
    print()
    print(table(["operation", "other", "now", "now - other, paired"], rows))


if __name__ == "__main__":
    main()
