"""The in-process fan-out of order events: routing, resets and slow subscribers."""

from __future__ import annotations

from bff.order_events import SUBSCRIBER_QUEUE, OrderEventHub
from clients import DeliveryStatus, OrderStatus
from clients.events import STREAM_RESET, ServiceEvent
from schema.context import DeliveryChanged, Resync, StatusChanged


def status_event(order_id: str, status: str, event_id: int = 1) -> ServiceEvent:
    return ServiceEvent("order.status_changed", {"order_id": order_id, "status": status}, event_id)


async def test_events_reach_only_the_orders_subscribers() -> None:
    hub = OrderEventHub()
    with hub.subscribe("o_1") as mine, hub.subscribe("o_2") as other:
        hub.dispatch(status_event("o_1", "ACCEPTED"))
        hub.dispatch(
            ServiceEvent(
                "delivery.updated",
                {
                    "delivery_id": "d_1",
                    "order_id": "o_1",
                    "status": "ASSIGNED",
                    "courier_id": "c_1",
                },
                2,
            )
        )
        assert await mine.next() == StatusChanged(OrderStatus.ACCEPTED)
        delivery = await mine.next()
        assert isinstance(delivery, DeliveryChanged)
        assert delivery.delivery.status is DeliveryStatus.ASSIGNED
        assert other._queue.empty()
    assert hub.subscriber_count == 0


async def test_a_stream_reset_asks_every_subscriber_to_refetch() -> None:
    hub = OrderEventHub()
    with hub.subscribe("o_1") as first, hub.subscribe("o_2") as second:
        hub.dispatch(ServiceEvent(STREAM_RESET))
        assert await first.next() == Resync()
        assert await second.next() == Resync()


async def test_a_slow_subscriber_gets_one_resync_instead_of_a_backlog() -> None:
    hub = OrderEventHub()
    with hub.subscribe("o_1") as slow:
        for index in range(SUBSCRIBER_QUEUE + 5):
            hub.dispatch(status_event("o_1", "PREPARING", index))
        assert slow._queue.qsize() <= 5
        assert await slow.next() == Resync()


async def test_malformed_events_are_ignored() -> None:
    hub = OrderEventHub()
    with hub.subscribe("o_1") as feed:
        hub.dispatch(status_event("o_1", "NOT_A_STATUS"))
        hub.dispatch(ServiceEvent("delivery.updated", {"order_id": "o_1", "status": "??"}))
        hub.dispatch(status_event("o_1", "ACCEPTED"))
        assert await feed.next() == StatusChanged(OrderStatus.ACCEPTED)
