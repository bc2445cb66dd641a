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

import httpx
from harness import cpu_seconds, table
from run import (
    CUSTOMERS,
    OPERATIONS,
    LoadWorld,
    load_request,
    load_world,
    loaded_bff,
    wrk,
    wrk_with_cpu,
)

PAGES = 200


def mocks_cpu_ms(world: LoadWorld, pid: int) -> float:
    """The mocks' CPU per page of orders, asked for directly."""
    before = cpu_seconds(pid)
    with httpx.Client(base_url=world.urls["order"]) as http:
        for n in range(PAGES):
            params = {"customer_id": world.customers[n % len(world.customers)], "limit": "20"}
            http.get("/v1/orders", params=params).raise_for_status()
    return (cpu_seconds(pid) - before) * 1000 / PAGES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    rows: list[list[object]] = []
    with (
        load_world() as world,
        loaded_bff(world) as (mixed, mixed_pid),
        loaded_bff(world) as (control, control_pid),
    ):
        mocks_pid = world.mocks_pid
        my_orders = [
            load_request(op, world.active_order) for op in OPERATIONS if op.name == "MyOrders"
        ]
        mix = [load_request(op, world.active_order) for op in OPERATIONS]
        for url in (mixed, control):
            wrk(url, my_orders, world.tokens, 2)  # warm up
        for round_number in range(args.rounds):
            first = wrk_with_cpu(mixed, mixed_pid, my_orders, world.tokens, args.seconds)
            second = wrk_with_cpu(control, control_pid, my_orders, world.tokens, args.seconds)
            rows.append(
                [
                    round_number,
                    f"{first['rps']:.0f}",
                    f"{first['cpu_ms']:.2f}",
                    f"{second['rps']:.0f}",
                    f"{second['cpu_ms']:.2f}",
                    f"{mocks_cpu_ms(world, mocks_pid):.2f}",
                ]
            )
            wrk(mixed, mix, world.tokens, args.seconds * 2)
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
