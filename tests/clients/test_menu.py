"""The menu client's single gets and nearby-restaurants list send exactly the contract's params."""

from __future__ import annotations

import httpx
import pytest
import respx

from clients import CallContext, LatLng, MenuClient, NotFoundError
from tests.clients.payloads import MENU_URL, menu_item, restaurant

CTX = CallContext(client="mobile")
NEAR = LatLng(lat=38.7101, lng=-9.1366)


def _params(route: respx.Route) -> list[tuple[str, str]]:
    return sorted(route.calls.last.request.url.params.multi_items())


@pytest.fixture
def nearby(router: respx.MockRouter) -> respx.Route:
    return router.get(f"{MENU_URL}/v1/restaurants").respond(
        200, json={"items": [restaurant("r_1"), restaurant("r_2")], "next_cursor": "c2"}
    )


async def test_first_page_sends_near_and_limit_only(nearby: respx.Route, menu: MenuClient) -> None:
    page = await menu.nearby_restaurants(NEAR, CTX, limit=20)
    assert _params(nearby) == [("limit", "20"), ("near", "38.7101,-9.1366")]
    assert [r.id for r in page.items] == ["r_1", "r_2"]
    assert page.next_cursor == "c2"


async def test_all_filters_and_cursor_are_sent(nearby: respx.Route, menu: MenuClient) -> None:
    await menu.nearby_restaurants(
        NEAR, CTX, limit=5, cursor="abc", radius_m=1500, cuisine="thai", open_now=True
    )
    assert _params(nearby) == [
        ("cuisine", "thai"),
        ("cursor", "abc"),
        ("limit", "5"),
        ("near", "38.7101,-9.1366"),
        ("open_now", "true"),
        ("radius_m", "1500"),
    ]


@pytest.mark.parametrize("open_now", [False, None])
async def test_open_now_is_sent_only_when_true(
    nearby: respx.Route, menu: MenuClient, open_now: bool | None
) -> None:
    await menu.nearby_restaurants(NEAR, CTX, limit=20, open_now=open_now)
    assert "open_now" not in nearby.calls.last.request.url.params


async def test_cursor_is_sent_verbatim(nearby: respx.Route, menu: MenuClient) -> None:
    cursor = "eyJvZmZzZXQiOjIwfQ==&x=1"
    await menu.nearby_restaurants(NEAR, CTX, limit=20, cursor=cursor)
    assert nearby.calls.last.request.url.params.get_list("cursor") == [cursor]


async def test_last_page_has_no_cursor(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(f"{MENU_URL}/v1/restaurants").respond(200, json={"items": [], "next_cursor": None})
    page = await menu.nearby_restaurants(NEAR, CTX, limit=20)
    assert page.items == []
    assert page.next_cursor is None


async def test_menu_keeps_menu_order(router: respx.MockRouter, menu: MenuClient) -> None:
    items = [menu_item("m_3"), menu_item("m_1"), menu_item("m_2")]
    router.get(f"{MENU_URL}/v1/restaurants/r_1/menu").respond(
        200, json={"restaurant_id": "r_1", "items": items}
    )
    assert [m.id for m in await menu.menu("r_1", CTX)] == ["m_3", "m_1", "m_2"]


async def test_menu_of_unknown_restaurant_is_not_found(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    router.get(f"{MENU_URL}/v1/restaurants/r_404/menu").respond(
        404, json={"status": 404, "code": "NOT_FOUND"}
    )
    with pytest.raises(NotFoundError):
        await menu.menu("r_404", CTX)


async def test_menu_items_batch(router: respx.MockRouter, menu: MenuClient) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["ids"].split(",")
        return httpx.Response(200, json={"items": [menu_item(i) for i in asked]})

    route = router.get(f"{MENU_URL}/v1/menu-items").mock(side_effect=answer)
    found = await menu.menu_items(["m_1", "m_2", "m_1"], CTX)
    assert set(found) == {"m_1", "m_2"}
    assert found["m_1"].price.amount == 890
    assert route.calls.last.request.url.params.get_list("ids") == ["m_1,m_2"]
