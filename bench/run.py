"""The benchmark suite: downstream calls, latency over the floor, throughput and memory, for
every shared operation of both clients. Prints a table and writes ``bench/results.md``.

Run: .venv/bin/python bench/run.py [--quick] [--output bench/results.md]
Needs ``wrk`` and ``taskset`` (Debian: wrk, util-linux). The BFF runs pinned to CPU 0, the
mocks and the load generator to CPU 1, so that the BFF's own cost is what is measured.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from harness import (
    ROOT,
    bff,
    cpu_seconds,
    customers_with_history,
    document,
    mocks,
    reset_stats,
    table,
    token,
)

BFF_CPU, OTHERS_CPU = 0, 1
LATENCY_MS = 20
LISBON = {"lat": 38.7223, "lng": -9.1393}


@dataclass(frozen=True)
class Operation:
    client: str
    name: str
    variables: dict[str, Any]
    user: str | None
    minimum_calls: int
    levels: int  # dependency levels: the floor is levels x downstream latency
    # Under load, sent by many customers in turn (else by u_1: its variables name u_1's order).
    any_customer: bool = False


OPERATIONS = [
    Operation("mobile", "HomeFeed", LISBON | {"first": 10}, "u_1", 4, 2, any_customer=True),
    Operation("mobile", "MyOrders", {"first": 20}, "u_1", 5, 3, any_customer=True),
    Operation("mobile", "RestaurantMenu", {"id": "r_1"}, None, 2, 1),
    Operation("mobile", "OrderTracking", {"id": "{active_order}"}, "u_1", 4, 2),
    Operation("web", "SearchRestaurants", LISBON | {"first": 24}, None, 1, 1),
    Operation("web", "RestaurantPage", {"id": "r_1"}, None, 2, 1),
    Operation("web", "OrderHistory", {"first": 20}, "u_1", 5, 3, any_customer=True),
    Operation("web", "OrderDetail", {"id": "{active_order}"}, "u_1", 5, 2),
]
THROUGHPUT = ["mobile/MyOrders", "mobile/RestaurantMenu", "web/OrderHistory", "mix"]
# Customers sending the load, each with a full first page of orders like u_1's: one customer's
# identical concurrent requests would share their downstream calls, which flatters the BFF.
CUSTOMERS = 32

Request = tuple[str, str, dict[str, Any]]  # path, authorisation ("", "*" or a token), body


def body(op: Operation, active_order: str) -> dict[str, Any]:
    variables = {k: (active_order if v == "{active_order}" else v) for k, v in op.variables.items()}
    return {"query": document(op.client, op.name), "variables": variables}


_HTTP = httpx.Client(timeout=30)
_TOKENS: dict[str, str] = {}


class LeanClient:
    """Single requests over one keep-alive connection per server, with the standard library's
    HTTP client: httpx's own cost (about half a millisecond a request here) would otherwise be
    counted once in each BFF request and once per level in the direct calls beside them."""

    def __init__(self) -> None:
        self._connections: dict[str, http.client.HTTPConnection] = {}

    def request(
        self, url: str, method: str, path: str, body: bytes | None = None, **headers: str
    ) -> bytes:
        host, port = url.removeprefix("http://").split(":")
        connection = self._connections.get(url)
        if connection is None:
            connection = self._connections[url] = http.client.HTTPConnection(host, int(port))
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status}")
        return content


_LEAN = LeanClient()


def post(url: str, op: Operation, active_order: str, fanout: bool = False) -> dict[str, Any]:
    return timed_post(url, op, active_order, fanout)[1]


# Single requests show each operation's cold cost: every relation is a downstream call.
COLD = {"BFF_CACHE_ENABLED": "false", "BFF_RATE_LIMITS": "false"}


def timed_post(
    url: str, op: Operation, active_order: str, fanout: bool = False
) -> tuple[float, dict[str, Any]]:
    """One request's latency in ms, from its first byte sent to its answer's last byte read,
    and its answer. Encoding the request and decoding the answer are the client's work: they
    stay outside the time, as in the direct calls beside it."""
    headers = {"Content-Type": "application/json"}
    if op.user:
        headers["Authorization"] = f"Bearer {_TOKENS.setdefault(op.user, token(op.user))}"
    if fanout:
        headers["X-BFF-Fanout"] = "1"
    payload = json.dumps(body(op, active_order)).encode()
    started = time.perf_counter()
    answer = _LEAN.request(url, "POST", f"/{op.client}/graphql", payload, **headers)
    took_ms = (time.perf_counter() - started) * 1000
    result: dict[str, Any] = json.loads(answer)
    if result.get("errors"):
        raise RuntimeError(f"{op.client}/{op.name}: {result['errors']}")
    return took_ms, result


def operations_named(names: list[str] | None) -> list[Operation]:
    """The shared operations with these names (all of them without names)."""
    return [op for op in OPERATIONS if not names or op.name in names]


Call = dict[str, Any]  # one of extensions.fanout's calls


def network_calls(calls: list[Call]) -> list[Call]:
    """The calls that went over the network (cache hits and coalesced calls cost no level)."""
    return [c for c in calls if c["cache"] in ("miss", "revalidated", "bypass")]


def ended_ms(call: Call) -> float:
    return float(call["startMs"] + call["durationMs"])


def ended_before(earlier: Call, call: Call) -> bool:
    return ended_ms(earlier) <= float(call["startMs"]) + 0.01  # fanout rounds to 0.01 ms


def measured_levels(fanout: dict[str, Any]) -> int:
    """Rounds of downstream calls: a call is a level deeper than any call that ended before it
    started."""
    calls = network_calls(fanout["calls"])
    depth: list[int] = []
    for i, call in enumerate(calls):
        before = [depth[j] for j in range(i) if ended_before(calls[j], call)]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)


def active_order(urls: dict[str, str]) -> str:
    statuses = "ACCEPTED,PREPARING,READY_FOR_PICKUP,PICKED_UP"
    page = httpx.get(
        f"{urls['order']}/v1/orders", params={"customer_id": "u_1", "status": statuses}
    ).json()
    return str(page["items"][0]["id"])


def direct_call_ms(urls: dict[str, str], samples: int) -> float:
    """One downstream call made straight to the mocks by this client: what a level really costs
    here (the injected latency, the mocks' own work and the client's), beside the 20 ms."""
    latencies = []
    for _ in range(samples + 3):
        started = time.perf_counter()
        _LEAN.request(urls["order"], "GET", "/v1/orders?customer_id=u_1&limit=20")
        latencies.append((time.perf_counter() - started) * 1000)
    return statistics.median(latencies[3:])


def calls_and_latency(samples: int) -> tuple[list[list[object]], float]:
    """Cold cost (cache off): downstream calls, levels and single-request latency at 20 ms."""
    rows = []
    with mocks(LATENCY_MS, cpu=OTHERS_CPU) as urls:
        order = active_order(urls)
        direct = direct_call_ms(urls, samples)
        with bff(urls, COLD, cpu=BFF_CPU) as url:
            for op in OPERATIONS:
                for _ in range(3):
                    post(url, op, order)  # warm up
                reset_stats(urls)
                fanout = post(url, op, order, fanout=True)["extensions"]["fanout"]
                calls = sum(httpx.get(f"{u}/__admin/stats").json()["total"] for u in urls.values())
                median = statistics.median(timed_post(url, op, order)[0] for _ in range(samples))
                floor = op.levels * LATENCY_MS
                rows.append(
                    [
                        f"{op.client}/{op.name}",
                        calls,
                        op.minimum_calls,
                        measured_levels(fanout),
                        op.levels,
                        f"{median:.1f}",
                        floor,
                        f"{median - floor:+.1f}",
                        f"{median - op.levels * direct:+.1f}",
                    ]
                )
    return rows, direct


def load_request(op: Operation, active_order: str) -> Request:
    """How wrk sends ``op``: anonymous, from each customer in turn, or from u_1."""
    auth = "" if op.user is None else "*" if op.any_customer else token(op.user)
    return (f"/{op.client}/graphql", auth, body(op, active_order))


def check_answers(url: str, requests: list[Request], tokens: list[str]) -> None:
    """wrk counts HTTP failures only: make sure every request is answered without errors."""
    for path, auth, payload in requests:
        for bearer in tokens if auth == "*" else [auth]:
            headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
            answer = _HTTP.post(f"{url}{path}", json=payload, headers=headers).json()
            if answer.get("errors"):
                raise RuntimeError(f"{path}: {answer['errors']}")


def wrk(
    url: str,
    requests: list[Request],
    tokens: list[str],
    seconds: int,
    connections: int = 32,
) -> dict[str, float]:
    env = os.environ | {
        "BENCH_REQUESTS": "\n--\n".join(f"{p}\t{a}\t{json.dumps(b)}" for p, a, b in requests),
        "BENCH_TOKENS": ",".join(tokens),
    }
    script = str(ROOT / "bench" / "wrk" / "graphql.lua")
    command = [
        "taskset",
        "-c",
        str(OTHERS_CPU),
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        script,
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (.*)", output)
    if match is None:
        raise RuntimeError(output)
    fields = dict(pair.split("=") for pair in match.group(1).split())
    seconds_run = int(fields["duration_us"]) / 1e6
    return {
        "rps": int(fields["requests"]) / seconds_run,
        "p50": int(fields["p50_us"]) / 1000,
        "p95": int(fields["p95_us"]) / 1000,
        "p99": int(fields["p99_us"]) / 1000,
        "errors": int(fields["errors"]),
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pid_of(command_line: str) -> int:
    """The process whose command line holds ``command_line`` (taskset runs it under its own)."""
    found = subprocess.run(["pgrep", "-f", "--", command_line], capture_output=True, text=True)
    return int(found.stdout.split()[0])


@dataclass(frozen=True)
class LoadWorld:
    """The mocks a load runs against, with the customers who send it and their tokens."""

    urls: dict[str, str]
    active_order: str  # one of u_1's, for the operations that name it
    customers: list[str]
    tokens: list[str]

    @property
    def mocks_pid(self) -> int:
        return pid_of(f"--order-port={self.urls['order'].rsplit(':', 1)[1]}")


@contextmanager
def load_world(customers: int = CUSTOMERS, mocks_source: Path = ROOT) -> Iterator[LoadWorld]:
    """The mocks at 20 ms on CPU 1, each of ``customers`` given a full first page of orders."""
    with mocks(LATENCY_MS, cpu=OTHERS_CPU, source=mocks_source) as urls:
        order = active_order(urls)
        users = customers_with_history(urls, customers)
        yield LoadWorld(urls, order, users, [token(user) for user in users])


@contextmanager
def loaded_bff(
    world: LoadWorld, env: dict[str, str] | None = None, source: Path = ROOT
) -> Iterator[tuple[str, int]]:
    """A BFF on CPU 0 against ``world``'s mocks, and its pid; rate limits are off, since the
    whole load comes from one address."""
    settings = {"BFF_RATE_LIMITS": "false"} | (env or {})
    with bff(world.urls, settings, cpu=BFF_CPU, source=source) as url:
        yield url, pid_of(f"serve --port {url.rsplit(':', 1)[1]}")


def wrk_with_cpu(
    url: str, pid: int, requests: list[Request], tokens: list[str], seconds: int
) -> dict[str, float]:
    """``wrk``'s figures, with the BFF's CPU per request served (``cpu_ms``) over the run."""
    before = cpu_seconds(pid)
    figures = wrk(url, requests, tokens, seconds)
    served = max(1.0, figures["rps"] * seconds)
    return figures | {"cpu_ms": (cpu_seconds(pid) - before) * 1000 / served}


def throughput(seconds: int, rounds: int) -> tuple[list[list[object]], list[float]]:
    """Cache on (the product's default): 32 concurrent clients per operation and a mix."""
    by_name = {f"{op.client}/{op.name}": op for op in OPERATIONS}
    rows: list[list[object]] = []
    memory: list[float] = []
    rounds_rps: dict[str, list[str]] = {}
    with load_world() as world, loaded_bff(world) as (url, pid):
        tokens = world.tokens
        for round_number in range(rounds):
            for name in THROUGHPUT:
                ops = OPERATIONS if name == "mix" else [by_name[name]]
                requests = [load_request(op, world.active_order) for op in ops]
                check_answers(url, requests, tokens)
                wrk(url, requests, tokens, 2)  # warm up
                figures = wrk(url, requests, tokens, seconds)
                rounds_rps.setdefault(name, []).append(f"{figures['rps']:.0f}")
                if round_number == rounds - 1:  # the caches of every customer are warm
                    rows.append(
                        [
                            name,
                            f"{figures['rps']:.0f}",
                            f"{figures['p50']:.1f}",
                            f"{figures['p95']:.1f}",
                            f"{figures['p99']:.1f}",
                            int(figures["errors"]),
                            ", ".join(rounds_rps[name]),
                        ]
                    )
            memory.append(rss_mb(pid))
    return rows, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "bench" / "results.md", help="where to write it"
    )
    args = parser.parse_args()
    samples, seconds, rounds = (5, 3, 1) if args.quick else (30, 10, 3)

    latency_rows, direct = calls_and_latency(samples)
    throughput_rows, memory = throughput(seconds, rounds)

    header = (
        f"{date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; BFF pinned to CPU {BFF_CPU}, mocks and wrk to "
        f"CPU {OTHERS_CPU}; downstream latency {LATENCY_MS} ms"
    )
    parts = [
        header,
        "",
        "Cold cost of each operation (cache off): downstream calls and dependency levels, and "
        f"the median of {samples} single requests beside its floor (levels x {LATENCY_MS} ms), "
        f"and beside what the levels cost when called directly (a direct call to the mocks "
        f"takes {direct:.1f} ms here, not {LATENCY_MS}):",
        "",
        table(
            [
                "operation",
                "calls",
                "minimum",
                "levels",
                "floor levels",
                "median ms",
                "floor ms",
                "over floor ms",
                "over direct ms",
            ],
            latency_rows,
        ),
        "",
        f"Throughput with the cache on, 32 concurrent clients, {seconds} s each (wrk), in the "
        f"last of {rounds} rounds (the first warms the caches of {CUSTOMERS} customers), with "
        "the requests/s of every round:",
        "",
        table(
            ["load", "requests/s", "p50 ms", "p95 ms", "p99 ms", "errors", "each round"],
            throughput_rows,
        ),
        "",
        "Resident memory of the BFF after each round of load (MB): "
        + ", ".join(f"{m:.0f}" for m in memory),
    ]
    report = "\n".join(parts)
    print(report)
    args.output.write_text(report + "\n")


if __name__ == "__main__":
    main()
