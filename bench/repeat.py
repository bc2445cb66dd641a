"""One load, measured again and again on one BFF: throughput, p50/p95, the BFF's CPU per request
and its resident memory after each run, then the median and the range. On a machine whose
speed wanders, this is how a figure is told apart from luck.

Run: .venv/bin/python bench/repeat.py [--load MyOrders|mix|...] [--runs 8] [--seconds 5]
     [--customers 32] [--env BFF_GC_GEN0_THRESHOLD=0] [--source OTHER_CHECKOUT]
     [--mocks-source OTHER_CHECKOUT]
Same set-up as bench/run.py: mocks at 20 ms on CPU 1 with wrk, the BFF alone on CPU 0, the load
sent by ``--customers`` customers in turn, caches on. Beside the BFF's figures, the share of a
core the mocks used (``--mocks-source`` runs another checkout's mocks under the same BFF).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from harness import ROOT, cpu_seconds, table
from run import OPERATIONS, load_request, load_world, loaded_bff, rss_mb, wrk, wrk_with_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load", default="MyOrders", help="an operation's name, or mix")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--customers", type=int, default=32)
    parser.add_argument("--env", action="append", default=[], help="a BFF setting, NAME=VALUE")
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument(
        "--mocks-source", type=Path, default=ROOT, help="the checkout whose mocks answer"
    )
    args = parser.parse_args()
    env = dict(kv.split("=", 1) for kv in args.env)
    ops = OPERATIONS if args.load == "mix" else [o for o in OPERATIONS if o.name == args.load]
    if not ops:
        parser.error(f"no operation named {args.load}")
    rows: list[list[object]] = []
    world_of = load_world(args.customers, args.mocks_source)
    with world_of as world, loaded_bff(world, env, args.source) as (url, pid):
        requests = [load_request(op, world.active_order) for op in ops]
        wrk(url, requests, world.tokens, 2)  # warm up
        mocks_pid = world.mocks_pid
        for run in range(1, args.runs + 1):
            mocks_before = cpu_seconds(mocks_pid)
            figures = wrk_with_cpu(url, pid, requests, world.tokens, args.seconds)
            mocks_busy = (cpu_seconds(mocks_pid) - mocks_before) / args.seconds * 100
            rows.append(
                [
                    run,
                    f"{figures['rps']:.0f}",
                    f"{figures['p50']:.1f}",
                    f"{figures['p95']:.1f}",
                    f"{figures['cpu_ms']:.2f}",
                    f"{rss_mb(pid):.0f}",
                    f"{mocks_busy:.0f}",
                ]
            )
    columns = [
        "run",
        "requests/s",
        "p50 ms",
        "p95 ms",
        "BFF CPU ms/request",
        "RSS MB",
        "mocks CPU %",
    ]
    print(f"{args.load}, {args.customers} customers, {args.runs} runs of {args.seconds} s:\n")
    print(table(columns, rows))
    for index, name in ((1, "requests/s"), (3, "p95 ms"), (4, "BFF CPU ms/request")):
        values = [float(str(row[index])) for row in rows]
        print(
            f"{name}: median {statistics.median(values):.1f}, "
            f"range {min(values):.1f} to {max(values):.1f}"
        )


if __name__ == "__main__":
    main()
