"""The seed data holds what the demos and integration tests rely on."""

from __future__ import annotations

from mocks.geo import haversine_m
from mocks.models import FINAL_STATUSES, ORDER_STATUSES
from mocks.seed import LISBON, build_world


def test_seed_is_deterministic() -> None:
    one, two = build_world(), build_world()
    assert [r.to_json()["name"] for r in one.restaurants.values()] == [
        r.to_json()["name"] for r in two.restaurants.values()
    ]
    assert [m.price for m in one.menu_items.values()] == [m.price for m in two.menu_items.values()]
    assert list(one.orders) == list(two.orders)


def test_restaurants_around_lisbon() -> None:
    world = build_world()
    restaurants = list(world.restaurants.values())
    assert len(restaurants) >= 200
    assert all(haversine_m(r.location, LISBON) <= 4100 for r in restaurants)
    assert sum(haversine_m(r.location, LISBON) <= 3000 for r in restaurants) >= 100
    assert any(not r.is_open for r in restaurants)
    assert any(r.rating is None for r in restaurants)
    assert any(r.image_url is None for r in restaurants)
    assert any(r.image_url and "?" in r.image_url for r in restaurants)


def test_menus() -> None:
    world = build_world()
    for rid, menu in world.menus.items():
        assert 20 <= len(menu) <= 40
        assert len({world.menu_items[m].section for m in menu}) >= 3
        assert all(world.menu_items[m].restaurant_id == rid for m in menu)
    items = list(world.menu_items.values())
    assert any(not m.available for m in items)
    assert any(m.description == "" for m in items)
    assert any(m.image_url is None for m in items)
    r_1, m_1 = world.restaurants["r_1"], world.menu_items["m_1"]
    assert r_1.is_open
    assert m_1.restaurant_id == "r_1" and m_1.available


def test_couriers() -> None:
    couriers = list(build_world().couriers.values())
    assert len(couriers) >= 50
    assert any(c.rating is None for c in couriers)
    assert any(c.photo_url is None for c in couriers)


def test_orders() -> None:
    world = build_world()
    assert {o.status for o in world.orders.values()} == set(ORDER_STATUSES)
    assert {f"u_{n}" for n in range(1, 101)} <= {o.customer_id for o in world.orders.values()}
    for order in world.orders.values():
        menu = world.menus[order.restaurant_id]
        for line in order.lines:
            assert line.menu_item_id in menu
            assert line.unit_price == world.menu_items[line.menu_item_id].price
        reached = {s for s, _ in order.status_history}
        assert (world.delivery_for(order.id) is not None) == ("ACCEPTED" in reached)
    assert any(
        o.status == "PLACED" and world.delivery_for(o.id) is None for o in world.orders.values()
    )


def test_demo_customer() -> None:
    world = build_world()
    orders = world.orders_of("u_1")
    assert len(orders) >= 30
    tracked = []
    for order in orders:
        delivery = world.delivery_for(order.id)
        if order.status not in FINAL_STATUSES and delivery is not None:
            assert delivery.courier_id and delivery.location and delivery.eta
            tracked.append(order)
    assert len(tracked) >= 3
