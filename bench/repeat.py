"""One load, measured again and again on one BFF: throughput, p50/p95, the BFF's CPU per request
and its resident memory after each run, then the median and the range. On a machine whose
speed wanders, this is how a figure is told apart from luck.

Run: .venv/bin/python bench/repeat.py [--load MyOrders|mix|...] [--runs 8] [--seconds 5]
     [--customers 32] [--env BFF_GC_GEN0_THRESHOLD=0] [--source OTHER_CHECKOUT]
Same set-up as bench/run.py: mocks at 20 ms on CPU 1 with wrk, the BFF alone on CPU 0, the load
sent by ``--customers`` customers in turn, caches on.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from harness import ROOT, bff, cpu_seconds, customers_with_history, mocks, table, token
from run import (
    BFF_CPU,
    LATENCY_MS,
    OPERATIONS,
    OTHERS_CPU,
    active_order,
    bff_pid,
    load_request,
    rss_mb,
    wrk,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load", default="MyOrders", help="an operation's name, or mix")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--customers", type=int, default=32)
    parser.add_argument("--env", action="append", default=[], help="a BFF setting, NAME=VALUE")
    parser.add_argument("--source", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args()
    env = {"BFF_RATE_LIMITS": "false"} | dict(kv.split("=", 1) for kv in args.env)
    ops = OPERATIONS if args.load == "mix" else [o for o in OPERATIONS if o.name == args.load]
    if not ops:
        parser.error(f"no operation named {args.load}")
    rows: list[list[object]] = []
    with mocks(LATENCY_MS, cpu=OTHERS_CPU) as urls:
        order = active_order(urls)
        tokens = [token(user) for user in customers_with_history(urls, args.customers)]
        requests = [load_request(op, order) for op in ops]
        with bff(urls, env, cpu=BFF_CPU, source=args.source) as url:
            pid = bff_pid(int(url.rsplit(":", 1)[1]))
            wrk(url, requests, tokens, 2)  # warm up
            for run in range(1, args.runs + 1):
                before = cpu_seconds(pid)
                figures = wrk(url, requests, tokens, args.seconds)
                served = figures["rps"] * args.seconds
                cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(1.0, served)
                rows.append(
                    [
                        run,
                        f"{figures['rps']:.0f}",
                        f"{figures['p50']:.1f}",
                        f"{figures['p95']:.1f}",
                        f"{cpu_ms:.2f}",
                        f"{rss_mb(pid):.0f}",
                    ]
                )
    columns = ["run", "requests/s", "p50 ms", "p95 ms", "BFF CPU ms/request", "RSS MB"]
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
