"""``bff serve --workers N``: the production entry point, several worker processes on one port,
each logging its requests as JSON lines."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mocks.runner import MockServers
from tests.support.served import free_port


def test_serve_with_two_workers_answers_and_logs_json(mocks: MockServers, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "BFF_MENU_URL": mocks.urls["menu"],
        "BFF_ORDER_URL": mocks.urls["order"],
        "BFF_COURIER_URL": mocks.urls["courier"],
        "BFF_LOG_FORMAT": "json",
        "BFF_CACHE_ENABLED": "false",
    }
    output = (tmp_path / "serve.log").open("wb")
    command = [sys.executable, "-m", "bff.cli", "serve", "--client", "web", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_healthy(url, process)
        for _ in range(4):
            response = httpx.post(
                f"{url}/web/graphql",
                json={"query": 'query RestaurantPage { restaurant(id: "r_1") { id } }'},
                timeout=10,
            )
            assert response.json() == {"data": {"restaurant": {"id": "r_1"}}}
        assert httpx.get(f"{url}/mobile/graphql", timeout=5).status_code == 404  # web only
        assert "bff_graphql_requests_total" in httpx.get(f"{url}/metrics", timeout=5).text
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        output.close()

    lines = (tmp_path / "serve.log").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    requests = [e for e in entries if e["logger"] == "bff.request" and e["method"] == "POST"]
    assert len(requests) == 4
    assert {e["operation"] for e in requests} == {"RestaurantPage"}
    assert {e["client"] for e in requests} == {"web"}
    # uvicorn's own lines come through the same JSON handler, one per worker started.
    started = [e for e in entries if e["message"].startswith("Started server process")]
    assert len(started) == 2


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bff serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError("bff serve did not start")
