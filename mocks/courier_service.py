"""The mock courier service: deliveries of orders and the couriers who ride them."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from mocks.caching import PRIVATE_2, PUBLIC_300, json_response
from mocks.events import DEFAULT_PING_INTERVAL
from mocks.problems import bad_request, not_found
from mocks.queries import batch_ids
from mocks.service import service_app
from mocks.simulation import Simulation
from mocks.world import World

MAX_ORDER_IDS = 100
MAX_COURIER_IDS = 100


def contract_router(world: World) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/deliveries")
    async def list_deliveries(request: Request) -> Response:
        order_ids = batch_ids(request.query_params, "order_ids", MAX_ORDER_IDS)
        if order_ids is None:
            raise bad_request("`order_ids` is required", "order_ids")
        found = [world.delivery_for(o) for o in dict.fromkeys(order_ids)]
        items = [d.to_json() for d in found if d is not None]
        return json_response(request, {"items": items}, PRIVATE_2)

    @router.get("/v1/deliveries/{delivery_id}")
    async def get_delivery(delivery_id: str, request: Request) -> Response:
        delivery = world.deliveries.get(delivery_id)
        if delivery is None:
            raise not_found(f"no delivery {delivery_id}")
        return json_response(request, delivery.to_json(), PRIVATE_2)

    @router.get("/v1/couriers")
    async def list_couriers(request: Request) -> Response:
        ids = batch_ids(request.query_params, "ids", MAX_COURIER_IDS)
        if ids is None:
            raise bad_request("`ids` is required", "ids")
        items = [world.couriers[i].to_json() for i in dict.fromkeys(ids) if i in world.couriers]
        return json_response(request, {"items": items}, PUBLIC_300, etag=True)

    return router


def create_courier_app(
    world: World,
    *,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    simulation: Simulation | None = None,
) -> FastAPI:
    return service_app(
        "courier",
        world,
        [contract_router(world)],
        ping_interval=ping_interval,
        simulation=simulation,
    )
