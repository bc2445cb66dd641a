"""Deterministic seed data: restaurants around Lisbon, their menus, couriers, customers' orders."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from mocks.geo import LatLng, haversine_m, offset
from mocks.models import ORDER_FLOW, Courier, Delivery, MenuItem, Order, OrderLine, Restaurant
from mocks.world import DELIVERY_FEE, Clock, World, utc_now

DEFAULT_SEED = 20261203
LISBON = LatLng(38.7223, -9.1393)
RESTAURANT_COUNT = 220
COURIER_COUNT = 60
CUSTOMER_COUNT = 100
DEMO_CUSTOMER_ORDERS = 34

_CUISINES = {
    "chinese": ["Dumplings", "Noodles", "Rice", "Sides", "Drinks"],
    "portuguese": ["Starters", "Fish", "Meat", "Desserts", "Drinks"],
    "pizza": ["Pizzas", "Salads", "Sides", "Desserts", "Drinks"],
    "sushi": ["Nigiri", "Maki", "Sashimi", "Sides", "Drinks"],
    "indian": ["Starters", "Curries", "Tandoor", "Breads", "Drinks"],
    "burgers": ["Burgers", "Sides", "Shakes", "Drinks"],
    "mexican": ["Tacos", "Burritos", "Sides", "Drinks"],
    "vegan": ["Bowls", "Wraps", "Sides", "Drinks"],
    "italian": ["Antipasti", "Pasta", "Mains", "Desserts", "Drinks"],
    "thai": ["Soups", "Curries", "Noodles", "Drinks"],
}
_SECONDARY = ["dumplings", "seafood", "grill", "healthy", "street-food", "noodles", "brunch"]
_NAME_A = ["Golden", "Blue", "Little", "Old", "Happy", "Royal", "Green", "Red", "Silver", "Lucky"]
_NAME_B = ["Dumpling", "Tram", "Sardine", "Lantern", "Fig", "Olive", "Harbour", "Garden", "Pepper"]
_STREETS = ["Rua Augusta", "Rua da Prata", "Rua do Ouro", "Avenida da Liberdade", "Rua Garrett"]
_DISHES = ["Special", "Classic", "House", "Spicy", "Crispy", "Smoked", "Fresh", "Grilled", "Sweet"]
_DIETARY = ["vegetarian", "vegan", "gluten_free", "spicy", "contains_nuts"]
_COURIER_NAMES = [
    "Ana",
    "Bruno",
    "Carla",
    "Diogo",
    "Eva",
    "Filipe",
    "Gil",
    "Helena",
    "Inês",
    "João",
]


def build_world(seed: int = DEFAULT_SEED, clock: Clock = utc_now) -> World:
    """The same world for the same seed; timestamps are relative to `clock()` at build time."""
    rng = random.Random(seed)
    world = World(clock=clock)
    now = clock()
    _add_restaurants(world, rng, now)
    _add_couriers(world, rng)
    _add_orders(world, rng, now)
    return world


def _add_restaurants(world: World, rng: random.Random, now: datetime) -> None:
    item_number = 0
    for n in range(1, RESTAURANT_COUNT + 1):
        rid = f"r_{n}"
        cuisine = "chinese" if n == 1 else rng.choice(sorted(_CUISINES))
        distance = 250.0 if n == 1 else 4000 * rng.random() ** 0.5
        bearing = rng.uniform(0, 6.283)
        location = offset(LISBON, distance * math.cos(bearing), distance * math.sin(bearing))
        image: str | None = f"https://img.example/{rid}.jpg"
        if n % 10 == 5:
            image = f"https://img.example/{rid}.jpg?v=2"
        elif n % 9 == 4:
            image = None
        close = rng.choice(["22:00", "22:30", "23:00"])
        world.restaurants[rid] = Restaurant(
            id=rid,
            name="Golden Dumpling"
            if n == 1
            else f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)} {n}",
            cuisines=[cuisine, *rng.sample(_SECONDARY, rng.randint(0, 1))],
            rating=None if n % 13 == 7 else round(rng.uniform(3.2, 4.9), 1),
            rating_count=0 if n % 13 == 7 else rng.randint(5, 3000),
            price_level=rng.randint(1, 4),
            address={
                "line1": f"{rng.randint(1, 200)} {rng.choice(_STREETS)}",
                "city": "Lisbon",
                "postcode": f"1{rng.randint(100, 999)}-{rng.randint(1, 999):03d}",
            },
            location=location,
            opening_hours=[
                {"day": day, "open": "11:00", "close": close}
                for day in range(7)
                if not (n % 7 == 3 and day == 0)
            ],
            is_open=n == 1 or n % 6 != 2,
            prep_time_minutes=rng.randint(8, 35),
            image_url=image,
            updated_at=now - timedelta(days=rng.randint(1, 60)),
        )
        item_number = _add_menu(world, rng, rid, cuisine, item_number, now)


def _add_menu(
    world: World, rng: random.Random, rid: str, cuisine: str, last: int, now: datetime
) -> int:
    sections = _CUISINES[cuisine]
    count = rng.randint(20, 40)
    world.menus[rid] = []
    for k in range(count):
        number = last + k + 1
        mid = f"m_{number}"
        section = sections[min(len(sections) - 1, k * len(sections) // count)]
        name = "Pork xiaolongbao (6)" if number == 1 else f"{rng.choice(_DISHES)} {section} {k + 1}"
        item = MenuItem(
            id=mid,
            restaurant_id=rid,
            name=name,
            description="" if k % 7 == 6 else f"{name}, made to order",
            section=section,
            price=890 if number == 1 else rng.randrange(250, 2400, 10),
            available=number == 1 or k % 11 != 9,
            dietary=sorted(rng.sample(_DIETARY, rng.randint(0, 2))),
            image_url=None if k % 5 == 3 else f"https://img.example/{mid}.jpg",
            updated_at=now - timedelta(days=rng.randint(1, 30)),
        )
        world.menu_items[mid] = item
        world.menus[rid].append(mid)
    return last + count


def _add_couriers(world: World, rng: random.Random) -> None:
    for n in range(1, COURIER_COUNT + 1):
        cid = f"c_{n}"
        world.couriers[cid] = Courier(
            id=cid,
            name=_COURIER_NAMES[(n - 1) % len(_COURIER_NAMES)],
            vehicle=rng.choice(["BICYCLE", "SCOOTER", "CAR", "ON_FOOT"]),
            rating=None if n % 8 == 5 else round(rng.uniform(4.0, 5.0), 1),
            phone=f"+351 900 000 {n:03d}",
            photo_url=None if n % 6 == 4 else f"https://img.example/{cid}.jpg",
            home=offset(LISBON, rng.uniform(-3000, 3000), rng.uniform(-3000, 3000)),
        )


def _customer_statuses(rng: random.Random, customer: int) -> list[str]:
    """Statuses of a customer's orders, oldest first; active ones are the most recent."""
    if customer == 1:
        done = ["DELIVERED"] * (DEMO_CUSTOMER_ORDERS - 7) + ["CANCELLED", "CANCELLED"]
        return [*done, "PICKED_UP", "READY_FOR_PICKUP", "PREPARING", "ACCEPTED", "PLACED"]
    count = rng.randint(2, 8)
    statuses = [rng.choice(["DELIVERED"] * 8 + ["CANCELLED"]) for _ in range(count)]
    if customer % 4 == 0:
        statuses[-1] = rng.choice(ORDER_FLOW[:-1])
    return statuses


def _add_orders(world: World, rng: random.Random, now: datetime) -> None:
    drafts: list[tuple[datetime, int, str]] = []
    for customer in range(1, CUSTOMER_COUNT + 1):
        statuses = _customer_statuses(rng, customer)
        for index, status in enumerate(statuses):
            active = status not in ("DELIVERED", "CANCELLED")
            back = index - len(statuses)  # negative: older orders further back
            # Active orders are recent and their history ends a minute ago or more.
            when = (
                now - timedelta(minutes=3 * ORDER_FLOW.index(status) + 1 - 2 * back)
                if active
                else now
                - timedelta(days=-back * 3 + rng.randint(0, 2), minutes=rng.randint(0, 600))
            )
            drafts.append((when, customer, status))
    drafts.sort(key=lambda d: (d[0], d[1]))
    open_ids = [rid for rid, r in world.restaurants.items() if r.is_open]
    for seq, (created, customer, status) in enumerate(drafts, start=1):
        restaurant = world.restaurants["r_1" if seq % 17 == 0 else rng.choice(open_ids)]
        order = _draft_order(world, rng, seq, f"u_{customer}", restaurant, created, status)
        world.orders[order.id] = order
        if "ACCEPTED" in (s for s, _ in order.status_history):
            _draft_delivery(world, order, restaurant)


def _draft_order(
    world: World,
    rng: random.Random,
    seq: int,
    customer_id: str,
    restaurant: Restaurant,
    created: datetime,
    status: str,
) -> Order:
    available = [m for m in world.menus[restaurant.id] if world.menu_items[m].available]
    picks = rng.sample(available, rng.randint(1, 3))
    lines = [
        OrderLine(m, world.menu_items[m].name, rng.randint(1, 3), world.menu_items[m].price, None)
        for m in picks
    ]
    if status == "CANCELLED":
        path = [*ORDER_FLOW[: rng.randint(1, 3)], "CANCELLED"]
    else:
        path = list(ORDER_FLOW[: ORDER_FLOW.index(status) + 1])
    history = [(s, created + timedelta(minutes=3 * i)) for i, s in enumerate(path)]
    customer_number = int(customer_id.split("_")[1])
    home = offset(
        LISBON, (customer_number * 37 % 50 - 25) * 100, (customer_number * 53 % 50 - 25) * 100
    )
    return Order(
        id=f"o_{seq}",
        seq=seq,
        customer_id=customer_id,
        restaurant_id=restaurant.id,
        status=status,
        lines=lines,
        delivery_fee=DELIVERY_FEE,
        delivery_address={
            "line1": f"Rua das Flores {customer_number}",
            "city": "Lisbon",
            "postcode": f"1200-{customer_number:03d}",
            "location": home.to_json(),
        },
        status_history=history,
        created_at=created,
        updated_at=history[-1][1],
    )


_DELIVERY_STAGE = {
    "ACCEPTED": "ASSIGNED",
    "PREPARING": "ASSIGNED",
    "READY_FOR_PICKUP": "AT_RESTAURANT",
    "PICKED_UP": "PICKED_UP",
    "DELIVERED": "DELIVERED",
    "CANCELLED": "ASSIGNED",
}


def _draft_delivery(world: World, order: Order, restaurant: Restaurant) -> None:
    courier_ids = sorted(world.couriers, key=lambda c: int(c.split("_")[1]))
    courier = world.couriers[courier_ids[order.seq % len(courier_ids)]]
    status = _DELIVERY_STAGE[order.status]
    where = {
        "ASSIGNED": courier.home,
        "AT_RESTAURANT": restaurant.location,
        "PICKED_UP": offset(restaurant.location, 60, 60),
        "DELIVERED": order.destination,
    }[status]
    if status == "PICKED_UP" and haversine_m(where, order.destination) < 400:
        where = restaurant.location
    number = len(world.deliveries) + 1
    delivery = Delivery(
        id=f"d_{number}",
        order_id=order.id,
        courier_id=courier.id,
        status=status,
        location=where,
        location_updated_at=order.updated_at,
        eta=None,
        distance_m=None,
        origin=courier.home,
    )
    world.refresh_estimate(delivery, order)
    if status == "DELIVERED":
        delivery.eta = order.updated_at
    world.deliveries[delivery.id] = delivery
    world.delivery_of_order[order.id] = delivery.id
