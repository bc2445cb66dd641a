"""Request ids and trace ids taken from the caller when well formed, generated otherwise."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from bff.tracing import RequestIdMiddleware, request_id_from, trace_id_from

GENERATED_REQUEST_ID = re.compile(r"[0-9a-f]{16}")
GENERATED_TRACE_ID = re.compile(r"[0-9a-f]{32}")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    "header", ["abc", "req-42", "0af7651916cd43dd8448eb211c80319c", "a.b_c:d-e", "x" * 128]
)
def test_valid_request_id_is_kept(header: str) -> None:
    assert request_id_from(header) == header


@pytest.mark.parametrize(
    "header",
    [None, "", "x" * 129, "has space", "a/b", "naïve", "abc\n", "abc\r\nX-Evil: 1", "a,b", "<x>"],
)
def test_invalid_request_id_is_replaced(header: str | None) -> None:
    generated = request_id_from(header)
    assert generated != header
    assert GENERATED_REQUEST_ID.fullmatch(generated)


def test_generated_request_ids_differ() -> None:
    assert request_id_from(None) != request_id_from(None)


@pytest.mark.parametrize(
    "header",
    [
        TRACEPARENT,
        TRACEPARENT.upper(),
        f"  {TRACEPARENT}  ",
        f"00-{TRACE_ID}-00f067aa0ba902b7-00",
        f"01-{TRACE_ID}-00f067aa0ba902b7-01",
    ],
)
def test_valid_traceparent_continues_the_trace(header: str) -> None:
    assert trace_id_from(header) == TRACE_ID


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        f"00-{'0' * 32}-00f067aa0ba902b7-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"ff-{TRACE_ID}-00f067aa0ba902b7-01",  # forbidden version
        f"00-{TRACE_ID[:-1]}-00f067aa0ba902b7-01",  # short trace id
        f"00-{TRACE_ID}g-00f067aa0ba902b7-01",
        f"00-{TRACE_ID}-00f067aa0ba902b-01",  # short parent id
        f"00-{TRACE_ID}-00f067aa0ba902b7",  # no flags
        f"00_{TRACE_ID}_00f067aa0ba902b7_01",
        f"{TRACEPARENT}-extra",
        f"x{TRACEPARENT}",
    ],
)
def test_invalid_traceparent_starts_a_new_trace(header: str | None) -> None:
    trace_id = trace_id_from(header)
    assert GENERATED_TRACE_ID.fullmatch(trace_id)
    assert trace_id not in {TRACE_ID, "0" * 32}


async def _echo_request_id(scope: Scope, receive: Receive, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain")],
        }
    )
    await send({"type": "http.response.body", "body": scope["state"]["request_id"].encode()})


async def _get(headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=RequestIdMiddleware(_echo_request_id))
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as client:
        return await client.get("/", headers=headers)


async def test_middleware_keeps_and_echoes_a_valid_request_id() -> None:
    response = await _get({"X-Request-Id": "req-42"})
    assert response.text == "req-42"
    assert response.headers.get_list("X-Request-Id") == ["req-42"]
    assert response.headers["content-type"] == "text/plain"


async def test_middleware_replaces_an_invalid_request_id() -> None:
    response = await _get({"X-Request-Id": "not valid!"})
    assert GENERATED_REQUEST_ID.fullmatch(response.text)
    assert response.headers["X-Request-Id"] == response.text


async def test_middleware_generates_a_request_id() -> None:
    first, second = await _get({}), await _get({})
    assert GENERATED_REQUEST_ID.fullmatch(first.headers["X-Request-Id"])
    assert first.headers["X-Request-Id"] == first.text
    assert first.text != second.text


async def test_middleware_passes_other_scopes_through_untouched() -> None:
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)
        await send({"type": "lifespan.startup.complete"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "lifespan"}
    await RequestIdMiddleware(app)(scope, receive, send)
    assert seen == [{"type": "lifespan"}]
    assert sent == [{"type": "lifespan.startup.complete"}]
