"""Where a single request's time goes, level by level: the downstream calls of one operation as
the BFF's ``extensions.fanout`` reports them, at 20 ms of downstream latency, cache off.

For each operation, the median over the requests of: when the first call went out (from the
moment the request's context was made), how long each level's critical call took as the BFF
saw it, the gap between one level's answer and the next level's call, and what followed the
last answer until the client had the response (building, completing and encoding it, and HTTP).
The chain is the calls that ended last: each the latest-ending call that had ended before the
next one started (so a gap also holds the other answers of that level handled before it).

Run: .venv/bin/python bench/timeline.py [--requests 30] [--operation MyOrders ...]
Same set-up as bench/run.py: the BFF alone on CPU 0, the mocks and this client on CPU 1.
"""

from __future__ import annotations

import argparse
import statistics
from itertools import pairwise

from harness import bff, mocks, table
from run import (
    BFF_CPU,
    COLD,
    LATENCY_MS,
    OTHERS_CPU,
    Call,
    active_order,
    ended_before,
    ended_ms,
    network_calls,
    operations_named,
    post,
    timed_post,
)


def critical_path(calls: list[Call]) -> list[Call]:
    """The chain of calls that ended last: each is the latest-ending call that had ended before
    the next one started."""
    network = network_calls(calls)
    chain = [max(network, key=ended_ms)]
    while True:
        before = [c for c in network if ended_before(c, chain[0])]
        if not before:
            return chain
        chain.insert(0, max(before, key=ended_ms))


def phases(total_ms: float, chain: list[Call]) -> list[float]:
    """First call's start, then each level's duration and the gap after it; the tail last."""
    figures = [chain[0]["startMs"]]
    for call, following in pairwise(chain):
        figures += [call["durationMs"], following["startMs"] - ended_ms(call)]
    figures += [chain[-1]["durationMs"], total_ms - ended_ms(chain[-1])]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--operation", action="append", help="e.g. MyOrders (default: all)")
    args = parser.parse_args()
    rows: list[list[object]] = []
    with mocks(LATENCY_MS, cpu=OTHERS_CPU) as urls:
        order = active_order(urls)
        with bff(urls, COLD, cpu=BFF_CPU) as url:
            for op in operations_named(args.operation):
                for _ in range(3):
                    post(url, op, order)  # warm up
                samples = []
                for _ in range(args.requests):
                    total, answer = timed_post(url, op, order, fanout=True)
                    calls = answer["extensions"]["fanout"]["calls"]
                    samples.append(phases(total, critical_path(calls)))
                medians = [statistics.median(column) for column in zip(*samples, strict=True)]
                levels = (len(medians) - 1) // 2
                durations = " / ".join(f"{m:.1f}" for m in medians[1:-1:2])
                gaps = " / ".join(f"{m:.2f}" for m in medians[2:-1:2]) or "-"
                rows.append(
                    [
                        f"{op.client}/{op.name}",
                        levels,
                        f"{medians[0]:.2f}",
                        durations,
                        gaps,
                        f"{medians[-1]:.2f}",
                        f"{medians[0] + sum(medians[2:-1:2]) + medians[-1]:.2f}",
                    ]
                )
    print(
        f"Single requests at {LATENCY_MS} ms, cache off, median of {args.requests}: the critical "
        "chain of calls (ms)"
    )
    print()
    print(
        table(
            [
                "operation",
                "levels",
                "first call at",
                "each level",
                "gaps",
                "after the last",
                "outside the calls",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
