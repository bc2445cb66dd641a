"""Every way a downstream call can fail maps to one typed exception; good bodies decode."""

from __future__ import annotations

import gzip

import httpx
import orjson
import pytest
import respx

from clients import (
    BadRequestError,
    CallContext,
    ConflictError,
    DownstreamTimeout,
    DownstreamUnavailable,
    MalformedResponse,
    MenuClient,
    NotFoundError,
    OrderClient,
    ProblemError,
    UnprocessableError,
)
from tests.clients.payloads import MENU_URL, ORDER_URL, problem, restaurant

CTX = CallContext(client="web")
R1 = f"{MENU_URL}/v1/restaurants/r_1"
PROBLEM_JSON = {"Content-Type": "application/problem+json"}
HTML = {"Content-Type": "text/html"}


@pytest.mark.parametrize("fault", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.PoolTimeout])
async def test_timeout_is_downstream_timeout(
    router: respx.MockRouter, menu: MenuClient, fault: type[Exception]
) -> None:
    router.get(R1).mock(side_effect=fault)
    with pytest.raises(DownstreamTimeout) as caught:
        await menu.restaurant("r_1", CTX)
    assert caught.value.service == "menu"


@pytest.mark.parametrize(
    "fault", [httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError]
)
async def test_connection_failure_is_unavailable(
    router: respx.MockRouter, menu: MenuClient, fault: type[Exception]
) -> None:
    # Refused, reset, or the peer dropped the connection mid-answer.
    router.get(R1).mock(side_effect=fault)
    with pytest.raises(DownstreamUnavailable) as caught:
        await menu.restaurant("r_1", CTX)
    assert type(caught.value) is DownstreamUnavailable
    assert caught.value.service == "menu"
    assert isinstance(caught.value.__cause__, fault)


SERVER_ERROR_BODIES = {
    "problem+json": (PROBLEM_JSON, orjson.dumps(problem(500, "INTERNAL_ERROR"))),
    "html": (HTML, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "no body": ({}, b""),
}


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("body", SERVER_ERROR_BODIES, ids=list(SERVER_ERROR_BODIES))
async def test_server_error_is_unavailable(
    router: respx.MockRouter, menu: MenuClient, status: int, body: str
) -> None:
    headers, content = SERVER_ERROR_BODIES[body]
    router.get(R1).respond(status, headers=headers, content=content)
    with pytest.raises(DownstreamUnavailable) as caught:
        await menu.restaurant("r_1", CTX)
    assert type(caught.value) is DownstreamUnavailable
    assert str(status) in str(caught.value)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    ("status", "code"), [(429, "RATE_LIMITED"), (503, "UNAVAILABLE")], ids=["429", "503"]
)
async def test_retry_after_is_carried(
    router: respx.MockRouter, menu: MenuClient, status: int, code: str
) -> None:
    router.get(R1).respond(
        status, headers={**PROBLEM_JSON, "Retry-After": "3"}, json=problem(status, code)
    )
    with pytest.raises(DownstreamUnavailable) as caught:
        await menu.restaurant("r_1", CTX)
    assert type(caught.value) is DownstreamUnavailable
    assert caught.value.retry_after == 3.0


@pytest.mark.parametrize("value", ["Wed, 21 Oct 2026 07:28:00 GMT", "-1", "soon"])
async def test_unusable_retry_after_is_none(
    router: respx.MockRouter, menu: MenuClient, value: str
) -> None:
    router.get(R1).respond(429, headers={"Retry-After": value})
    with pytest.raises(DownstreamUnavailable) as caught:
        await menu.restaurant("r_1", CTX)
    assert caught.value.retry_after is None


async def test_404_problem_is_not_found_with_code(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    router.get(R1).respond(
        404, headers=PROBLEM_JSON, json=problem(404, "NOT_FOUND", detail="no restaurant r_1")
    )
    with pytest.raises(NotFoundError) as caught:
        await menu.restaurant("r_1", CTX)
    assert (caught.value.status, caught.value.code) == (404, "NOT_FOUND")
    assert caught.value.detail == "no restaurant r_1"
    assert caught.value.field is None


@pytest.mark.parametrize(
    ("status", "code", "field", "error"),
    [
        (409, "IDEMPOTENCY_CONFLICT", None, ConflictError),
        (409, "NOT_CANCELLABLE", "status", ConflictError),
        (422, "ITEM_UNAVAILABLE", "items[0].menu_item_id", UnprocessableError),
        (422, "INVALID_QUANTITY", "items[1].quantity", UnprocessableError),
        (400, "VALIDATION_ERROR", "limit", BadRequestError),
    ],
)
async def test_problem_carries_code_and_field(
    router: respx.MockRouter,
    orders: OrderClient,
    status: int,
    code: str,
    field: str | None,
    error: type[ProblemError],
) -> None:
    body = problem(status, code, detail="refused")
    if field is not None:
        body["field"] = field
    router.post(f"{ORDER_URL}/v1/orders/o_1/cancel").respond(
        status, headers=PROBLEM_JSON, json=body
    )
    with pytest.raises(error) as caught:
        await orders.cancel_order("o_1", "changed my mind", CTX)
    assert type(caught.value) is error
    assert (caught.value.service, caught.value.status) == ("order", status)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert caught.value.detail == "refused"


@pytest.mark.parametrize(
    ("status", "headers", "content", "error", "code"),
    [
        (404, HTML, b"<h1>Not Found</h1>", NotFoundError, "NOT_FOUND"),
        (409, {}, b"", ConflictError, "CONFLICT"),
        (422, {"Content-Type": "text/plain"}, b"nope", UnprocessableError, "VALIDATION_ERROR"),
        (400, PROBLEM_JSON, b"[1, 2]", BadRequestError, "VALIDATION_ERROR"),
        (400, PROBLEM_JSON, b'{"code": null, "field": 3}', BadRequestError, "VALIDATION_ERROR"),
        (418, {}, b"teapot", ProblemError, "HTTP_ERROR"),
    ],
    ids=["404-html", "409-empty", "422-text", "400-array", "400-null-code", "418"],
)
async def test_client_error_without_problem_body_gets_default_code(
    router: respx.MockRouter,
    menu: MenuClient,
    status: int,
    headers: dict[str, str],
    content: bytes,
    error: type[ProblemError],
    code: str,
) -> None:
    router.get(R1).respond(status, headers=headers, content=content)
    with pytest.raises(error) as caught:
        await menu.restaurant("r_1", CTX)
    assert type(caught.value) is error
    assert (caught.value.status, caught.value.code) == (status, code)
    assert caught.value.field is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"null",
        b"[]",
        orjson.dumps({k: v for k, v in restaurant("r_1").items() if k != "name"}),
        orjson.dumps(restaurant("r_1", rating="excellent")),
    ],
    ids=["broken", "empty", "null", "array", "missing-name", "wrong-type"],
)
async def test_malformed_200_is_malformed_response(
    router: respx.MockRouter, menu: MenuClient, content: bytes
) -> None:
    router.get(R1).respond(200, headers={"Content-Type": "application/json"}, content=content)
    with pytest.raises(MalformedResponse) as caught:
        await menu.restaurant("r_1", CTX)
    assert caught.value.service == "menu"


async def test_batch_with_one_malformed_item_is_malformed_response(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    broken = {"id": "r_2", "cuisines": []}
    router.get(f"{MENU_URL}/v1/restaurants").respond(
        200, json={"items": [restaurant("r_1"), broken]}
    )
    with pytest.raises(MalformedResponse):
        await menu.restaurants(["r_1", "r_2"], CTX)


async def test_undecodable_content_encoding_is_malformed_response(
    router: respx.MockRouter, menu: MenuClient
) -> None:
    router.get(R1).respond(
        200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
    )
    with pytest.raises(MalformedResponse):
        await menu.restaurant("r_1", CTX)


async def test_gzip_body_is_decoded(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(R1).respond(
        200,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        stream=httpx.ByteStream(gzip.compress(orjson.dumps(restaurant("r_1")))),
    )
    assert (await menu.restaurant("r_1", CTX)).id == "r_1"


async def test_unknown_fields_are_ignored(router: respx.MockRouter, menu: MenuClient) -> None:
    body = restaurant("r_1", delivery_zones=["a", "b"], loyalty={"tier": 3})
    body["address"] = {**body["address"], "floor": 4}
    router.get(R1).respond(200, json=body)
    found = await menu.restaurant("r_1", CTX)
    assert found.id == "r_1"
    assert found.name == "Restaurant r_1"
    assert found.address is not None and found.address.city == "Lisbon"
    assert not hasattr(found, "delivery_zones")


async def test_nullable_fields_may_be_null(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(R1).respond(200, json=restaurant("r_1", rating=None, image_url=None))
    found = await menu.restaurant("r_1", CTX)
    assert found.rating is None
    assert found.image_url is None


async def test_redirect_is_not_followed(router: respx.MockRouter, menu: MenuClient) -> None:
    router.get(R1).respond(302, headers={"Location": f"{MENU_URL}/elsewhere"})
    elsewhere = router.get(f"{MENU_URL}/elsewhere").respond(200, json=restaurant("r_1"))
    with pytest.raises(ProblemError) as caught:
        await menu.restaurant("r_1", CTX)
    assert caught.value.status == 302
    assert not elsewhere.called
