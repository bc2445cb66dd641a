"""The courier client's single delivery get."""

from __future__ import annotations

import respx

from clients import CallContext, CourierClient, DeliveryStatus
from tests.clients.payloads import COURIER_URL, delivery


async def test_delivery_by_id(router: respx.MockRouter, couriers: CourierClient) -> None:
    body = {**delivery("d_1", "o_1"), "location": {"lat": 38.711, "lng": -9.139}}
    body["eta"] = "2026-12-03T18:02:00Z"
    router.get(f"{COURIER_URL}/v1/deliveries/d_1").respond(200, json=body)

    found = await couriers.delivery("d_1", CallContext(client="mobile"))

    assert (found.id, found.order_id, found.status) == ("d_1", "o_1", DeliveryStatus.ASSIGNED)
    assert found.location is not None and found.location.lat == 38.711
    assert found.eta is not None and found.eta.utcoffset() is not None
