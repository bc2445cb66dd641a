"""``bff dev``, the quick start: the mocks and both BFFs in one process, a banner with the two
GraphiQL URLs and a development token that works, and a quiet start."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.served import free_port


def test_dev_serves_both_bffs_over_the_mocks_and_prints_a_working_token(tmp_path: Path) -> None:
    port, menu, order, courier = (free_port() for _ in range(4))
    log = tmp_path / "dev.log"
    command = [
        sys.executable,
        "-m",
        "bff.cli",
        "dev",
        "--port",
        str(port),
        "--menu-port",
        str(menu),
        "--order-port",
        str(order),
        "--courier-port",
        str(courier),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=os.environ, cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            banner = _wait_for(log, "Press Ctrl-C to stop.", process)
            url = f"http://127.0.0.1:{port}"
            assert f"{url}/mobile/graphql" in banner and f"{url}/web/graphql" in banner
            token = re.search(r'"Authorization": "(Bearer [^"]+)"', banner)
            assert token is not None
            answer = httpx.post(
                f"{url}/mobile/graphql",
                json={"query": "{ me { id orders(first: 1) { edges { node { id } } } } }"},
                headers={"Authorization": token.group(1)},
                timeout=10,
            ).json()
            assert answer["data"]["me"]["id"] == "u_1"
            assert len(answer["data"]["me"]["orders"]["edges"]) == 1
            web = httpx.post(
                f"{url}/web/graphql", json={"query": '{ restaurant(id: "r_1") { id } }'}, timeout=10
            )
            assert web.json() == {"data": {"restaurant": {"id": "r_1"}}}
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)

    text = log.read_text(encoding="utf-8")
    # The mocks listen before the BFF starts its event consumers: nothing to reconnect to.
    assert "reconnecting" not in text
    assert "Traceback" not in text
    # One line per request, not one per downstream call.
    assert "HTTP Request:" not in text


def _wait_for(log: Path, marker: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8")
        if marker in text:
            return text
        if process.poll() is not None:
            raise RuntimeError(f"bff dev exited with {process.returncode}: {text}")
        time.sleep(0.1)
    raise TimeoutError(f"bff dev printed no banner: {log.read_text(encoding='utf-8')}")
