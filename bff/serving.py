"""The production entry point: one client's BFF (or both) in one process or several workers."""

from __future__ import annotations

import os
from collections.abc import Sequence

import uvicorn
from fastapi import FastAPI

from bff.observability import configure_logging
from bff.settings import Settings, get_settings
from schema.build import CLIENTS

# Imported by each worker process: it builds its app from the environment.
APP_FACTORY = "bff.serving:app_from_environment"


def served_clients(choice: str) -> tuple[str, ...]:
    return CLIENTS if choice == "all" else (choice,)


def app_from_environment() -> FastAPI:
    """The app of ``BFF_CLIENT`` with the settings of the environment (a worker's factory)."""
    from bff.app import create_app

    settings = get_settings()
    configure_logging(settings)
    return create_app(settings, clients=served_clients(settings.client))


def serve(settings: Settings, clients: Sequence[str], host: str, port: int, workers: int) -> None:
    """Serve until SIGTERM; in-flight requests get ``BFF_SHUTDOWN_GRACE_S`` to finish."""
    configure_logging(settings)
    app: FastAPI | str
    if workers == 1:
        from bff.app import create_app

        app = create_app(settings, clients=clients)
    else:
        # Workers are separate processes: each imports the factory, which reads the environment.
        os.environ["BFF_CLIENT"] = "all" if tuple(clients) == CLIENTS else clients[0]
        app = APP_FACTORY
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=host,
        port=port,
        lifespan="on",
        log_config=None,  # our handlers: uvicorn's loggers propagate to them
        access_log=False,  # bff.request logs every GraphQL request once
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )
