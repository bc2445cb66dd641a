"""Serving the mock services over HTTP: for `bff mocks`, for tests, or beside other servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import time
from collections.abc import Collection, Coroutine, Sequence
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from mocks.courier_service import create_courier_app
from mocks.events import DEFAULT_PING_INTERVAL, EventLog
from mocks.faults import quiet_dropped_responses
from mocks.menu_service import create_menu_app
from mocks.order_service import create_order_app
from mocks.seed import DEFAULT_SEED, build_world
from mocks.simulation import Simulation
from mocks.world import World

SERVICES = ("menu", "order", "courier")
SHUTDOWN_GRACE_S = 2


class MockServer(uvicorn.Server):
    """A uvicorn server that ends its service's event streams when it shuts down."""

    def __init__(self, config: uvicorn.Config, service: str, events: EventLog) -> None:
        super().__init__(config)
        self.service = service
        self.events = events

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Open streams never end by themselves; without this, shutdown waits out its grace time.
        self.events.disconnect_all()
        await super().shutdown(sockets)

    @property
    def bound_port(self) -> int:
        return int(self.servers[0].sockets[0].getsockname()[1])


def _apps(
    world: World, simulation: Simulation | None, ping_interval: float, only: Collection[str]
) -> dict[str, FastAPI]:
    factories = {
        "menu": create_menu_app,
        "order": create_order_app,
        "courier": create_courier_app,
    }
    return {
        name: factories[name](world, ping_interval=ping_interval, simulation=simulation)
        for name in SERVICES
        if name in only
    }


def build_mock_servers(
    host: str = "127.0.0.1",
    menu_port: int = 8101,
    order_port: int = 8102,
    courier_port: int = 8103,
    *,
    simulate: bool = False,
    speed: float = 1.0,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    seed: int = DEFAULT_SEED,
    only: Collection[str] | None = None,
    log_level: str = "warning",
    world: World | None = None,
) -> list[uvicorn.Server]:
    """Unstarted servers for the mock services, sharing one world (and one simulation)."""
    chosen = SERVICES if only is None else tuple(only)
    unknown = set(chosen) - set(SERVICES)
    if unknown:
        raise ValueError(f"unknown mock services: {sorted(unknown)}")
    world = world if world is not None else build_world(seed)
    simulation = Simulation(world, speed) if simulate else None
    ports = {"menu": menu_port, "order": order_port, "courier": courier_port}
    quiet_dropped_responses()
    servers: list[uvicorn.Server] = []
    for name, app in _apps(world, simulation, ping_interval, chosen).items():
        config = uvicorn.Config(
            app,
            host=host,
            port=ports[name],
            log_level=log_level,
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=SHUTDOWN_GRACE_S,
        )
        servers.append(MockServer(config, name, world.events[name]))
    return servers


async def serve_all(servers: Collection[uvicorn.Server]) -> None:
    await asyncio.gather(*(server.serve() for server in servers))


def run_on_servers_loop(main: Coroutine[Any, Any, None], servers: Sequence[uvicorn.Server]) -> None:
    """Run ``main`` on the event loop uvicorn would give ``servers`` (uvloop where installed).

    ``asyncio.run`` would give the standard loop, whose timers wake up to a millisecond late
    and whose transports cost more per request: the mocks' injected latency would then be
    0.4 to 0.9 ms longer than on uvloop on every call (``bench/micro.py``).
    """
    with asyncio.Runner(loop_factory=servers[0].config.get_loop_factory()) as runner:
        runner.run(main)


def run(
    host: str = "127.0.0.1",
    menu_port: int = 8101,
    order_port: int = 8102,
    courier_port: int = 8103,
    *,
    simulate: bool = False,
    speed: float = 1.0,
) -> None:
    """Serve the three mocks until Ctrl-C (what `bff mocks` runs)."""
    servers = build_mock_servers(
        host, menu_port, order_port, courier_port, simulate=simulate, speed=speed, log_level="info"
    )
    for name, port in zip(SERVICES, (menu_port, order_port, courier_port), strict=True):
        print(f"mock {name} service: http://{host}:{port}", file=sys.stderr)
    # Each server re-raises the signal after its own shutdown; the last one reaches us here.
    with contextlib.suppress(KeyboardInterrupt):
        run_on_servers_loop(serve_all(servers), servers)


class MockServers:
    """The mocks served by real uvicorn in a background thread, on free ports, for tests.

    `with MockServers() as mocks: httpx.get(mocks.urls["menu"] + "/healthz")`
    """

    def __init__(
        self,
        *,
        simulate: bool = False,
        speed: float = 1.0,
        ping_interval: float = DEFAULT_PING_INTERVAL,
        seed: int = DEFAULT_SEED,
        only: Collection[str] | None = None,
        host: str = "127.0.0.1",
        start_timeout: float = 15.0,
    ) -> None:
        self.world = build_world(seed)
        self.host = host
        self.start_timeout = start_timeout
        self.urls: dict[str, str] = {}
        self._servers = [
            server
            for server in build_mock_servers(
                host,
                0,
                0,
                0,
                simulate=simulate,
                speed=speed,
                ping_interval=ping_interval,
                only=only,
                world=self.world,
            )
            if isinstance(server, MockServer)
        ]
        self._thread: threading.Thread | None = None

    def start(self) -> MockServers:
        self._thread = threading.Thread(
            target=run_on_servers_loop,
            args=(serve_all(self._servers), self._servers),
            name="mock-servers",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not all(server.started for server in self._servers):
            if not self._thread.is_alive():
                raise RuntimeError("the mock servers failed to start")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError("the mock servers did not start in time")
            time.sleep(0.01)
        self.urls = {s.service: f"http://{self.host}:{s.bound_port}" for s in self._servers}
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=SHUTDOWN_GRACE_S + 10)
            self._thread = None

    def __enter__(self) -> MockServers:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
