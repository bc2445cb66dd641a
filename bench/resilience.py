"""Latency and error share of a fixed load while the courier service is down, slow or flaky,
with the breaker and retries on (the defaults) and off.

Run: .venv/bin/python bench/resilience.py
The cache is off so that every request really depends on the courier service.
"""

from __future__ import annotations

import asyncio

from harness import Request, bff, mocks, run_load, set_fault, summary, table

REQUESTS = 300
CONCURRENCY = 8
FAULTS: dict[str, dict[str, object]] = {
    "down": {"outage": True},
    "slow (3 s)": {"latency_ms": 3000},
    "flaky (20% 503)": {"error_rate": 0.2, "error_status": 503},
}
POLICIES = {
    "breaker + retries": {},
    "breaker + retries, budget 30%": {"BFF_COURIER__RETRY_BUDGET_RATIO": "0.3"},
    "none": {"BFF_COURIER__BREAKER_ENABLED": "false", "BFF_COURIER__RETRY_ATTEMPTS": "1"},
}


def load() -> list[Request]:
    return [
        Request("mobile", "MyOrders", {"first": 10}, f"u_{n % 20 + 1}") for n in range(REQUESTS)
    ]


async def main() -> None:
    rows = []
    with mocks() as urls:
        for fault_name, fault in FAULTS.items():
            for policy_name, env in POLICIES.items():
                set_fault(urls, "courier", **fault)
                with bff(urls, {"BFF_CACHE_ENABLED": "false"} | env) as url:
                    outcomes = await run_load(url, load(), CONCURRENCY)
                p50, p95, share = summary(outcomes)
                rows.append([fault_name, policy_name, f"{p50:.0f}", f"{p95:.0f}", f"{share:.1%}"])
                set_fault(urls, "courier")
    print(f"{REQUESTS} MyOrders requests, {CONCURRENCY} at a time, courier service faulty")
    print(table(["courier fault", "policy", "p50 ms", "p95 ms", "responses with errors"], rows))


if __name__ == "__main__":
    asyncio.run(main())
