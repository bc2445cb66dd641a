"""Great-circle distances and straight-line movement between coordinates."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class LatLng:
    lat: float
    lng: float

    def to_json(self) -> dict[str, float]:
        return {"lat": self.lat, "lng": self.lng}


def haversine_m(a: LatLng, b: LatLng) -> float:
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b.lng - a.lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def offset(origin: LatLng, north_m: float, east_m: float) -> LatLng:
    """The point `north_m` north and `east_m` east of `origin` (flat-earth, fine at city scale)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlng = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(origin.lat))))
    return LatLng(round(origin.lat + dlat, 6), round(origin.lng + dlng, 6))


def toward(start: LatLng, end: LatLng, fraction: float) -> LatLng:
    f = max(0.0, min(1.0, fraction))
    return LatLng(
        round(start.lat + (end.lat - start.lat) * f, 6),
        round(start.lng + (end.lng - start.lng) * f, 6),
    )
