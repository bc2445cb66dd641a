"""What the benchmark scripts share: the mocks and a BFF in processes of their own, and a
bounded load generator. Everything listens on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "schema" / "operations"
SERVICES = ("menu", "order", "courier")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def document(client: str, name: str) -> str:
    return (OPERATIONS / client / f"{name}.graphql").read_text()


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not come up")


def _spawn(
    args: list[str], env: dict[str, str], cpu: int | None, source: Path = ROOT
) -> subprocess.Popen[bytes]:
    """``bff`` run from ``source`` (another checkout can be measured against this one)."""
    command = [sys.executable, "-m", "bff.cli", *args]
    if cpu is not None and sys.platform.startswith("linux"):
        command = ["taskset", "-c", str(cpu), *command]
    return subprocess.Popen(
        command,
        env=os.environ | env,
        cwd=source,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@contextmanager
def mocks(
    latency_ms: int = 0, cpu: int | None = None, source: Path = ROOT
) -> Iterator[dict[str, str]]:
    """The three mock services in one process (``source``'s); each answers after
    ``latency_ms``."""
    ports = {service: free_port() for service in SERVICES}
    args = ["mocks"] + [f"--{s}-port={p}" for s, p in ports.items()]
    process = _spawn(args, {}, cpu, source)
    urls = {s: f"http://127.0.0.1:{p}" for s, p in ports.items()}
    try:
        for url in urls.values():
            wait_until_up(url, process)
        for url in urls.values():
            httpx.put(f"{url}/__admin/faults", json={"latency_ms": latency_ms}).raise_for_status()
        yield urls
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def bff(
    urls: dict[str, str],
    env: dict[str, str] | None = None,
    cpu: int | None = None,
    source: Path = ROOT,
) -> Iterator[str]:
    port = free_port()
    settings = {f"BFF_{s.upper()}_URL": u for s, u in urls.items()} | (env or {})
    process = _spawn(["serve", "--port", str(port)], settings, cpu, source)
    with serving(process, f"http://127.0.0.1:{port}") as url:
        yield url


@contextmanager
def serving(process: subprocess.Popen[bytes], url: str) -> Iterator[str]:
    """``url`` once ``process`` serves it; the process is stopped on the way out."""
    try:
        wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_stats(urls: dict[str, str]) -> None:
    for url in urls.values():
        httpx.post(f"{url}/__admin/stats/reset").raise_for_status()


def set_fault(urls: dict[str, str], service: str, **fault: Any) -> None:
    httpx.put(f"{urls[service]}/__admin/faults", json=fault).raise_for_status()


def downstream_calls(urls: dict[str, str]) -> int:
    return sum(httpx.get(f"{u}/__admin/stats").json()["total"] for u in urls.values())


def token(user: str) -> str:
    from bff.auth import issue_token
    from bff.settings import DEV_JWT_SECRET

    return issue_token(DEV_JWT_SECRET, user)


@dataclass(frozen=True)
class Request:
    client: str
    operation: str
    variables: dict[str, Any]
    user: str | None = None


@dataclass(frozen=True)
class Outcome:
    latency_ms: float
    errors: bool


async def run_load(url: str, requests: Sequence[Request], concurrency: int) -> list[Outcome]:
    """Send every request once, ``concurrency`` at a time; a closed loop, bounded in count."""
    queue: asyncio.Queue[Request] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    outcomes: list[Outcome] = []
    tokens = {r.user: token(r.user) for r in requests if r.user}

    async def worker(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            request = queue.get_nowait()
            headers = {"Authorization": f"Bearer {tokens[request.user]}"} if request.user else {}
            body = {
                "query": document(request.client, request.operation),
                "variables": request.variables,
            }
            started = time.perf_counter()
            try:
                response = await http.post(f"/{request.client}/graphql", json=body, headers=headers)
                failed = response.status_code != 200 or bool(response.json().get("errors"))
            except httpx.HTTPError:
                failed = True
            outcomes.append(Outcome((time.perf_counter() - started) * 1000, failed))

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return outcomes


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def summary(outcomes: Sequence[Outcome]) -> tuple[float, float, float]:
    """p50 and p95 latency (ms), and the share of responses with errors."""
    latencies = [o.latency_ms for o in outcomes]
    share = sum(o.errors for o in outcomes) / max(1, len(outcomes))
    return statistics.median(latencies), percentile(latencies, 95), share


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def customers_with_history(
    urls: dict[str, str], count: int, orders_each: int = 20, seed: int = 7
) -> list[str]:
    """``count`` customers whose first page of orders is full, like the demo customer ``u_1``.

    Made through the contract (``POST /v1/orders``) and the mocks' admin API (each order is
    advanced to a random status, so most have a delivery and a courier): a load from many
    customers is what a BFF serves, and one customer's identical concurrent requests would
    share their downstream calls.
    """
    rng = random.Random(seed)
    http = httpx.Client(timeout=30)
    first_sixty = ",".join(f"r_{i}" for i in range(1, 61))
    found = http.get(f"{urls['menu']}/v1/restaurants", params={"ids": first_sixty}).json()
    open_restaurants = [r for r in found["items"] if r["is_open"]]
    menus = {
        r["id"]: [
            i["id"]
            for i in http.get(f"{urls['menu']}/v1/restaurants/{r['id']}/menu").json()["items"]
            if i["available"]
        ]
        for r in open_restaurants[:20]
    }
    users = ["u_1"] + [f"u_{n}" for n in range(101, 100 + count)]
    for user in users[1:]:
        for n in range(orders_each):
            restaurant = rng.choice(list(menus))
            items = rng.sample(menus[restaurant], k=min(len(menus[restaurant]), rng.randint(1, 3)))
            body = {
                "customer_id": user,
                "restaurant_id": restaurant,
                "items": [{"menu_item_id": i, "quantity": rng.randint(1, 3)} for i in items],
                "delivery_address": {
                    "line1": "Rua Augusta 1",
                    "city": "Lisbon",
                    "postcode": "1100-048",
                    "location": {"lat": 38.7097, "lng": -9.1365},
                },
            }
            placed = http.post(
                f"{urls['order']}/v1/orders",
                json=body,
                headers={"Idempotency-Key": f"bench-{user}-{n}"},
            )
            placed.raise_for_status()
            for _ in range(rng.randint(0, 5)):
                http.post(f"{urls['order']}/__admin/orders/{placed.json()['id']}/advance")
    return users
