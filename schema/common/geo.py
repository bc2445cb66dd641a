"""Distances and delivery estimates computed from coordinates."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_000.0
RIDE_METRES_PER_MINUTE = 250  # 15 km/h


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> int:
    return round(haversine_m(lat1, lng1, lat2, lng2))


def delivery_eta_minutes(prep_time_minutes: int | None, distance_meters: int | None) -> int | None:
    if prep_time_minutes is None or distance_meters is None:
        return None
    return prep_time_minutes + math.ceil(distance_meters / RIDE_METRES_PER_MINUTE)
