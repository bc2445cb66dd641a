"""The live simulation moves orders and couriers forward and emits their events."""

from __future__ import annotations

import time

import httpx

from mocks.models import FINAL_STATUSES
from mocks.runner import MockServers
from mocks.seed import build_world
from mocks.simulation import Simulation
from tests.contract.support import order_body, place


def test_steps_deliver_every_active_order() -> None:
    world = build_world()
    simulation = Simulation(world)
    active = [o for o in world.orders.values() if o.status not in FINAL_STATUSES]
    for second in range(0, 4000, 2):
        simulation.step(float(second))
    assert {o.status for o in active} == {"DELIVERED"}
    for order in active:
        delivery = world.delivery_for(order.id)
        assert delivery is not None and delivery.status == "DELIVERED"
        assert delivery.distance_m == 0
    log = world.events["courier"]
    statuses = {e.data["status"] for e in log.since("0") or []}
    assert statuses == {"ASSIGNED", "AT_RESTAURANT", "PICKED_UP", "NEAR_CUSTOMER", "DELIVERED"}


def test_placed_order_is_simulated_over_http() -> None:
    with MockServers(simulate=True, speed=2000) as mocks, httpx.Client(timeout=10) as client:
        order = place(
            client,
            mocks.urls["order"],
            order_body("u_1", "r_1", [{"menu_item_id": "m_1", "quantity": 1}]),
        ).json()
        deadline = time.monotonic() + 20
        status = order["status"]
        while status != "DELIVERED" and time.monotonic() < deadline:
            time.sleep(0.2)
            status = client.get(f"{mocks.urls['order']}/v1/orders/{order['id']}").json()["status"]
        assert status == "DELIVERED"
        history = client.get(f"{mocks.urls['order']}/v1/orders/{order['id']}").json()
        assert [s["status"] for s in history["status_history"]] == [
            "PLACED", "ACCEPTED", "PREPARING", "READY_FOR_PICKUP", "PICKED_UP", "DELIVERED",
        ]  # fmt: skip
