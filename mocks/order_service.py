"""The mock order service: customers' orders, placing them idempotently, cancelling them."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from mocks.caching import PRIVATE_NO_STORE, json_response
from mocks.events import DEFAULT_PING_INTERVAL
from mocks.models import ORDER_STATUSES, Order
from mocks.order_intake import comparable, idempotency_key, order_request, parse_body
from mocks.problems import ProblemError, bad_request, not_found
from mocks.queries import batch_ids, decode_cursor, page, page_limit, single
from mocks.service import service_app
from mocks.simulation import Simulation
from mocks.world import World

MAX_IDS = 50


def _statuses(raw: str | None) -> set[str] | None:
    if raw is None:
        return None
    wanted = set(raw.split(","))
    unknown = wanted - set(ORDER_STATUSES)
    if unknown:
        raise bad_request(f"unknown status {sorted(unknown)[0]!r}", "status")
    return wanted


def _customer_page(world: World, request: Request) -> dict[str, Any]:
    params = request.query_params
    customer_id = single(params, "customer_id")
    if not customer_id:
        raise bad_request("`customer_id` is required when `ids` is absent", "customer_id")
    statuses = _statuses(single(params, "status"))
    limit = page_limit(params)
    after = decode_cursor(params, (int,))
    orders = [
        o
        for o in world.orders_of(customer_id)
        if (statuses is None or o.status in statuses) and (after is None or o.seq < after[0])
    ]
    chosen, cursor = page(orders, limit, lambda o: [o.seq])
    return {"items": [o.to_json() for o in chosen], "next_cursor": cursor}


def _order(world: World, order_id: str) -> Order:
    order = world.orders.get(order_id)
    if order is None:
        raise not_found(f"no order {order_id}")
    return order


def contract_router(world: World) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/orders")
    async def list_orders(request: Request) -> Response:
        ids = batch_ids(request.query_params, "ids", MAX_IDS)
        if ids is None:
            return json_response(request, _customer_page(world, request), PRIVATE_NO_STORE)
        items = [world.orders[i].to_json() for i in dict.fromkeys(ids) if i in world.orders]
        return json_response(request, {"items": items}, PRIVATE_NO_STORE)

    @router.get("/v1/orders/{order_id}")
    async def get_order(order_id: str, request: Request) -> Response:
        return json_response(request, _order(world, order_id).to_json(), PRIVATE_NO_STORE)

    @router.post("/v1/orders")
    async def place_order(request: Request) -> Response:
        key = idempotency_key(request.headers.get("idempotency-key"))
        body = parse_body(await request.body())
        seen = world.idempotency.get(key)
        if seen is not None:
            first_body, order_id = seen
            if first_body != comparable(body):
                raise ProblemError(
                    409,
                    "IDEMPOTENCY_CONFLICT",
                    "this Idempotency-Key was used with a different body",
                    field="Idempotency-Key",
                )
            order = world.orders[order_id]
        else:
            order = world.place_order(order_request(world, body))
            # Only a placed order uses up its key: a refused request may be retried.
            world.idempotency[key] = (comparable(body), order.id)
        return json_response(request, order.to_json(), PRIVATE_NO_STORE, status_code=201)

    @router.post("/v1/orders/{order_id}/cancel")
    async def cancel_order(order_id: str, request: Request) -> Response:
        order = _order(world, order_id)
        raw = await request.body()
        if raw.strip():
            try:
                orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise bad_request("the body is not JSON") from None
        world.cancel_order(order)
        return json_response(request, order.to_json(), PRIVATE_NO_STORE)

    return router


def admin_router(world: World) -> APIRouter:
    router = APIRouter(prefix="/__admin")

    @router.post("/orders/{order_id}/advance")
    async def advance(order_id: str) -> dict[str, Any]:
        order = _order(world, order_id)
        world.advance_order(order)
        return order.to_json()

    return router


def create_order_app(
    world: World,
    *,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    simulation: Simulation | None = None,
) -> FastAPI:
    return service_app(
        "order",
        world,
        [contract_router(world), admin_router(world)],
        ping_interval=ping_interval,
        simulation=simulation,
    )
