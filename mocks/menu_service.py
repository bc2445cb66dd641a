"""The mock menu service: restaurants, their menus and menu items."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from mocks.caching import PUBLIC_30, PUBLIC_60, json_response
from mocks.events import DEFAULT_PING_INTERVAL
from mocks.geo import LatLng, haversine_m
from mocks.models import Restaurant, id_number
from mocks.problems import bad_request, not_found
from mocks.queries import batch_ids, decode_cursor, page, page_limit, single
from mocks.service import service_app
from mocks.simulation import Simulation
from mocks.world import World

MAX_IDS = 100
DEFAULT_RADIUS_M = 3000
MAX_RADIUS_M = 100_000


def _near(raw: str | None) -> LatLng:
    if raw is None:
        raise bad_request("`near` is required when `ids` is absent", "near")
    try:
        lat_text, lng_text = raw.split(",")
        lat, lng = float(lat_text), float(lng_text)
    except ValueError:
        raise bad_request("`near` must be `<lat>,<lng>`", "near") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise bad_request("`near` is not a coordinate on Earth", "near")
    return LatLng(lat, lng)


def _radius(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_RADIUS_M
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_RADIUS_M:
        raise bad_request(f"`radius_m` must be an integer from 1 to {MAX_RADIUS_M}", "radius_m")
    return int(raw)


def _open_now(raw: str | None) -> bool:
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise bad_request("`open_now` must be `true` or `false`", "open_now")


def _nearby(world: World, request: Request) -> dict[str, Any]:
    params = request.query_params
    origin = _near(single(params, "near"))
    radius = _radius(single(params, "radius_m"))
    cuisine = single(params, "cuisine")
    open_only = _open_now(single(params, "open_now"))
    limit = page_limit(params)
    after = decode_cursor(params, (float, int))

    def keep(r: Restaurant) -> bool:
        return (cuisine is None or cuisine in r.cuisines) and (r.is_open or not open_only)

    ranked = sorted(
        ((haversine_m(origin, r.location), id_number(r.id), r) for r in world.restaurants.values()),
        key=lambda entry: (entry[0], entry[1]),
    )
    candidates = [e for e in ranked if e[0] <= radius and keep(e[2])]
    if after is not None:
        candidates = [e for e in candidates if (e[0], e[1]) > (after[0], after[1])]
    chosen, cursor = page(candidates, limit, lambda e: [e[0], e[1]])
    return {"items": [e[2].to_json() for e in chosen], "next_cursor": cursor}


class PriceChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    amount: int = Field(ge=0, le=10_000_000)


class RestaurantChange(BaseModel):
    model_config = ConfigDict(extra="ignore")
    is_open: bool | None = None
    name: str | None = Field(None, min_length=1, max_length=200)


def contract_router(world: World) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/restaurants")
    async def list_restaurants(request: Request) -> Response:
        ids = batch_ids(request.query_params, "ids", MAX_IDS)
        if ids is None:
            return json_response(request, _nearby(world, request), PUBLIC_30)
        items = [
            world.restaurants[i].to_json() for i in dict.fromkeys(ids) if i in world.restaurants
        ]
        return json_response(request, {"items": items}, PUBLIC_60, etag=True)

    @router.get("/v1/restaurants/{restaurant_id}")
    async def get_restaurant(restaurant_id: str, request: Request) -> Response:
        restaurant = world.restaurants.get(restaurant_id)
        if restaurant is None:
            raise not_found(f"no restaurant {restaurant_id}")
        return json_response(request, restaurant.to_json(), PUBLIC_60, etag=True)

    @router.get("/v1/restaurants/{restaurant_id}/menu")
    async def get_menu(restaurant_id: str, request: Request) -> Response:
        if restaurant_id not in world.restaurants:
            raise not_found(f"no restaurant {restaurant_id}")
        items = [world.menu_items[m].to_json() for m in world.menus.get(restaurant_id, [])]
        payload = {"restaurant_id": restaurant_id, "items": items}
        return json_response(request, payload, PUBLIC_60, etag=True)

    @router.get("/v1/menu-items")
    async def list_menu_items(request: Request) -> Response:
        ids = batch_ids(request.query_params, "ids", MAX_IDS)
        if ids is None:
            raise bad_request("`ids` is required", "ids")
        items = [world.menu_items[i].to_json() for i in dict.fromkeys(ids) if i in world.menu_items]
        return json_response(request, {"items": items}, PUBLIC_60, etag=True)

    return router


def admin_router(world: World) -> APIRouter:
    router = APIRouter(prefix="/__admin")

    @router.post("/menu-items/{item_id}/price")
    async def set_price(item_id: str, change: PriceChange) -> dict[str, Any]:
        item = world.menu_items.get(item_id)
        if item is None:
            raise not_found(f"no menu item {item_id}")
        world.set_price(item, change.amount)
        return item.to_json()

    @router.patch("/restaurants/{restaurant_id}")
    async def patch_restaurant(restaurant_id: str, change: RestaurantChange) -> dict[str, Any]:
        restaurant = world.restaurants.get(restaurant_id)
        if restaurant is None:
            raise not_found(f"no restaurant {restaurant_id}")
        world.update_restaurant(restaurant, is_open=change.is_open, name=change.name)
        return restaurant.to_json()

    return router


def create_menu_app(
    world: World,
    *,
    ping_interval: float = DEFAULT_PING_INTERVAL,
    simulation: Simulation | None = None,
) -> FastAPI:
    return service_app(
        "menu",
        world,
        [contract_router(world), admin_router(world)],
        ping_interval=ping_interval,
        simulation=simulation,
    )
