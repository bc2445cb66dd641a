"""Does serving other operations slow a BFF down? Two BFFs, both on CPU 0, are measured on
``MyOrders`` in turn, round after round; between rounds the first also serves the mix of every
operation. On a machine whose speed wanders, the second BFF is the control: a slowdown that
comes from the first one's state shows as a gap between the two, not as a drift of both. The
mocks serve every load; their CPU per page of orders, asked directly, shows whether they slow.

Run: .venv/bin/python bench/after_mix.py [--rounds 4] [--seconds 5]
Same set-up as bench/run.py: mocks at 20 ms on CPU 1 with wrk, caches on, 32 customers.
"""

from __future__ import annotations

import argparse
import subprocess

import httpx
from harness import bff, cpu_seconds, customers_with_history, mocks, table, token
from run import (
    BFF_CPU,
    CUSTOMERS,
    LATENCY_MS,
    OPERATIONS,
    OTHERS_CPU,
    Request,
    active_order,
    bff_pid,
    load_request,
    wrk,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    env = {"BFF_RATE_LIMITS": "false"}
    rows: list[list[object]] = []
    with mocks(LATENCY_MS, cpu=OTHERS_CPU) as urls:
        order = active_order(urls)
        customers = customers_with_history(urls, CUSTOMERS)
        tokens = [token(user) for user in customers]
        my_orders = [load_request(op, order) for op in OPERATIONS if op.name == "MyOrders"]
        mix = [load_request(op, order) for op in OPERATIONS]
        with bff(urls, env, cpu=BFF_CPU) as mixed, bff(urls, env, cpu=BFF_CPU) as control:
            pids = {url: bff_pid(int(url.rsplit(":", 1)[1])) for url in (mixed, control)}

            def measure(url: str, requests: list[Request]) -> tuple[float, float]:
                before = cpu_seconds(pids[url])
                figures = wrk(url, requests, tokens, args.seconds)
                served = max(1.0, figures["rps"] * args.seconds)
                return figures["rps"], (cpu_seconds(pids[url]) - before) * 1000 / served

            mocks_pid = int(
                subprocess.run(
                    ["pgrep", "-f", "bff.cli mocks"], capture_output=True, text=True
                ).stdout.split()[0]
            )

            def mocks_cpu_ms() -> float:
                """The mocks' CPU per page of orders, asked for directly (200 pages)."""
                before = cpu_seconds(mocks_pid)
                with httpx.Client(base_url=urls["order"]) as http:
                    for n in range(200):
                        params = {"customer_id": customers[n % len(customers)], "limit": "20"}
                        http.get("/v1/orders", params=params).raise_for_status()
                return (cpu_seconds(mocks_pid) - before) * 1000 / 200

            for url in (mixed, control):
                wrk(url, my_orders, tokens, 2)  # warm up
            for round_number in range(args.rounds):
                mixed_rps, mixed_cpu = measure(mixed, my_orders)
                control_rps, control_cpu = measure(control, my_orders)
                rows.append(
                    [
                        round_number,
                        f"{mixed_rps:.0f}",
                        f"{mixed_cpu:.2f}",
                        f"{control_rps:.0f}",
                        f"{control_cpu:.2f}",
                        f"{mocks_cpu_ms():.2f}",
                    ]
                )
                wrk(mixed, mix, tokens, args.seconds * 2)
    print(f"MyOrders, {CUSTOMERS} customers, {args.seconds} s per measure; mixes served before:\n")
    columns = [
        "mixes",
        "requests/s",
        "CPU ms/request",
        "control requests/s",
        "control CPU ms",
        "mocks CPU ms/page",
    ]
    print(table(columns, rows))


if __name__ == "__main__":
    main()
