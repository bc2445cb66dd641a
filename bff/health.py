"""Liveness (``/healthz``) and readiness (``/readyz``, with each service's breaker state)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from clients import SERVICES, Downstream


def health_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        downstream: Downstream | None = getattr(request.app.state, "downstream", None)
        if downstream is None:
            return JSONResponse({"status": "starting"}, status_code=503)
        services = {}
        for service in SERVICES:
            breaker = downstream.transport(service).breaker
            services[service] = {"breaker": breaker.state.value if breaker else "disabled"}
        # An open breaker does not make the BFF unready: it still answers, with partial data.
        degraded = any(s["breaker"] != "closed" for s in services.values())
        body = {"status": "degraded" if degraded else "ready", "services": services}
        return JSONResponse(body)

    return router
