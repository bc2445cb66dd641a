"""The parts every mock service app shares: health, events, admin, faults, problem handlers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from fastapi import APIRouter, FastAPI

from mocks.events import DEFAULT_PING_INTERVAL, events_router
from mocks.faults import FaultMiddleware, ServiceControl, admin_router
from mocks.problems import install_problem_handlers
from mocks.simulation import Simulation
from mocks.world import World


def service_app(
    name: str,
    world: World,
    routers: Sequence[APIRouter],
    *,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    simulation: Simulation | None = None,
) -> FastAPI:
    """A FastAPI app serving `routers` plus what every mock service has."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if simulation is None:
            yield
            return
        async with simulation.running():
            yield

    app = FastAPI(
        title=f"mock {name} service",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    control = ServiceControl()
    app.state.world = world
    app.state.control = control
    install_problem_handlers(app)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    contract = [events_router(world.events[name], ping_interval), *routers]
    for router in [*contract, admin_router(control, [world.events[name]])]:
        app.include_router(router)
    # The middleware matches requests against route templates itself: it runs before routing.
    routes = [route for router in contract for route in router.routes]
    app.add_middleware(FaultMiddleware, control=control, routes=routes)
    return app
