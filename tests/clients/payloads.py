"""Contract-shaped JSON bodies for the client tests, one factory per resource."""

from __future__ import annotations

from typing import Any

MENU_URL = "http://menu.test"
ORDER_URL = "http://order.test"
COURIER_URL = "http://courier.test"

EUR_1979 = {"amount": 1979, "currency": "EUR"}


def restaurant(rid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": rid,
        "name": f"Restaurant {rid}",
        "cuisines": ["chinese"],
        "rating": 4.6,
        "rating_count": 12,
        "price_level": 2,
        "address": {"line1": "12 Harbour St", "city": "Lisbon", "postcode": "1100-001"},
        "location": {"lat": 38.7101, "lng": -9.1366},
        "opening_hours": [{"day": 0, "open": "11:00", "close": "22:30"}],
        "is_open": True,
        "prep_time_minutes": 18,
        "image_url": None,
        "updated_at": "2026-12-01T09:00:00Z",
        **extra,
    }


def menu_item(mid: str, restaurant_id: str = "r_1") -> dict[str, Any]:
    return {
        "id": mid,
        "restaurant_id": restaurant_id,
        "name": "Pork xiaolongbao (6)",
        "description": "",
        "section": "Dumplings",
        "price": {"amount": 890, "currency": "EUR"},
        "available": True,
        "dietary": [],
        "image_url": None,
        "updated_at": "2026-12-01T09:00:00Z",
    }


def order(oid: str, status: str = "PLACED") -> dict[str, Any]:
    return {
        "id": oid,
        "customer_id": "u_1",
        "restaurant_id": "r_1",
        "status": status,
        "items": [
            {
                "menu_item_id": "m_1",
                "name": "Pork xiaolongbao (6)",
                "quantity": 2,
                "unit_price": {"amount": 890, "currency": "EUR"},
                "line_total": {"amount": 1780, "currency": "EUR"},
                "notes": None,
            }
        ],
        "subtotal": {"amount": 1780, "currency": "EUR"},
        "delivery_fee": {"amount": 199, "currency": "EUR"},
        "total": EUR_1979,
        "delivery_address": None,
        "status_history": [{"status": status, "at": "2026-12-03T17:31:52Z"}],
        "created_at": "2026-12-03T17:31:52Z",
        "updated_at": "2026-12-03T17:31:52Z",
    }


def delivery(did: str, order_id: str) -> dict[str, Any]:
    return {
        "id": did,
        "order_id": order_id,
        "courier_id": "c_7",
        "status": "ASSIGNED",
        "location": None,
        "location_updated_at": None,
        "eta": None,
        "distance_m": 1840,
    }


def courier(cid: str) -> dict[str, Any]:
    return {
        "id": cid,
        "name": "Ana",
        "vehicle": "BICYCLE",
        "rating": None,
        "phone": "+351 900 000 007",
        "photo_url": None,
    }


def problem(status: int, code: str, **extra: Any) -> dict[str, Any]:
    return {"type": "about:blank", "title": code, "status": status, "code": code, **extra}
