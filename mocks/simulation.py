"""Live simulation: active orders move through their statuses while couriers ride to customers."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from mocks.geo import LatLng, haversine_m, toward
from mocks.models import FINAL_STATUSES, Delivery, Order
from mocks.world import RIDE_SPEED_M_PER_S, World

# Simulated seconds an order stays in a status before the kitchen or courier moves it on.
WAIT_S = {"PLACED": 20.0, "ACCEPTED": 30.0, "READY_FOR_PICKUP": 30.0}
MAX_PREP_S = 300.0
LOCATION_EVERY_S = 5.0  # simulated seconds between a courier's location events
ARRIVED_M = 5.0


@dataclass
class _Phase:
    status: str
    entered: float
    last_report: float


class Simulation:
    """Advances a world's active orders; `speed` multiplies the passage of time."""

    def __init__(self, world: World, speed: float = 1.0, tick_s: float = 0.2) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.world = world
        self.speed = speed
        self.tick_s = tick_s
        self._origin = time.monotonic()
        self._last = 0.0
        self._phases: dict[str, _Phase] = {}
        self._users = 0
        self._task: asyncio.Task[None] | None = None

    def sim_time(self) -> float:
        return (time.monotonic() - self._origin) * self.speed

    def step(self, now: float | None = None) -> None:
        """Advance everything by the simulated time elapsed since the previous step."""
        now = self.sim_time() if now is None else now
        dt, self._last = max(0.0, now - self._last), now
        for order in list(self.world.orders.values()):
            if order.status in FINAL_STATUSES:
                self._phases.pop(order.id, None)
                continue
            phase = self._phases.get(order.id)
            if phase is None or phase.status != order.status:
                phase = self._phases[order.id] = _Phase(order.status, now, now)
            self._step_order(order, phase, now, dt)

    def _step_order(self, order: Order, phase: _Phase, now: float, dt: float) -> None:
        elapsed = now - phase.entered
        delivery = self.world.delivery_for(order.id)
        if delivery is not None and order.status in ("ACCEPTED", "PREPARING", "PICKED_UP"):
            self._ride(order, delivery, phase, now, dt)
        if order.status == "PICKED_UP":
            if delivery is None or (delivery.distance_m or 0) <= ARRIVED_M:
                self.world.advance_order(order)
            return
        wait = WAIT_S.get(order.status)
        if order.status == "PREPARING":
            prep = self.world.restaurants[order.restaurant_id].prep_time_minutes * 60.0
            wait = min(prep, MAX_PREP_S)
        if wait is not None and elapsed >= wait:
            self.world.advance_order(order)

    def _ride(self, order: Order, delivery: Delivery, phase: _Phase, now: float, dt: float) -> None:
        if delivery.location is None:
            return
        picked = order.status == "PICKED_UP"
        target: LatLng = (
            order.destination if picked else self.world.restaurants[order.restaurant_id].location
        )
        left = haversine_m(delivery.location, target)
        if left <= ARRIVED_M and not picked:
            if delivery.status == "ASSIGNED":
                delivery.status = "AT_RESTAURANT"
                self.world.move_courier(delivery, order, target)
            return
        if (
            now - phase.last_report < LOCATION_EVERY_S
            and left > ARRIVED_M + RIDE_SPEED_M_PER_S * dt
        ):
            return
        travelled = RIDE_SPEED_M_PER_S * (now - phase.last_report)
        phase.last_report = now
        where = target if travelled >= left else toward(delivery.location, target, travelled / left)
        self.world.move_courier(delivery, order, where)

    async def run(self) -> None:
        while True:
            self.step()
            await asyncio.sleep(self.tick_s)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run while at least one app that shares this simulation is up."""
        self._users += 1
        if self._task is None:
            self._last = self.sim_time()
            self._task = asyncio.create_task(self.run(), name="mock-simulation")
        try:
            yield
        finally:
            self._users -= 1
            if self._users == 0 and self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
                self._task = None
