"""The pooled transport against a real socket that misbehaves: every way an exchange can break
is an httpx error of the right kind, and the clients turn it into the right downstream error."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from clients import (
    CallContext,
    DownstreamTimeout,
    DownstreamUnavailable,
    MalformedResponse,
    ServiceTransport,
    TransportConfig,
)
from clients._connections import pooled_transport
from clients._http import request_url, send_request

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]

OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


async def _read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


async def answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        try:
            await _read_request(reader)
        except asyncio.IncompleteReadError:
            return
        writer.write(OK)
        await writer.drain()


async def closes_without_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.close()


async def resets(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    await resets_now(writer)


def _writes_then_closes(data: bytes) -> Behaviour:
    async def behaviour(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(data)
        await writer.drain()
        writer.close()

    return behaviour


PARTIAL_ANSWER = b'HTTP/1.1 200 OK\r\ncontent-length: 64\r\n\r\n{"items": ['
stops_mid_body = _writes_then_closes(PARTIAL_ANSWER)
speaks_gibberish = _writes_then_closes(b"SMTP READY\r\n\r\n")


async def resets_mid_body(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.write(PARTIAL_ANSWER)
    await writer.drain()
    await asyncio.sleep(0.05)
    await resets_now(writer)


async def resets_now(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER 0: close() sends a RST instead of a FIN.
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    writer.close()


async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    await asyncio.sleep(5)


async def bad_encoding(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: 4\r\n\r\nnope")
    await writer.drain()


async def _serve(behaviour: Behaviour) -> AsyncIterator[str]:
    server = await asyncio.start_server(behaviour, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def _get(url: str, read_timeout: float = 2.0) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=url, transport=pooled_transport(10), timeout=httpx.Timeout(read_timeout)
    ) as http:
        return await http.get("/v1/restaurants/r_1")


async def test_an_answer_is_read() -> None:
    async for url in _serve(answers):
        async with httpx.AsyncClient(base_url=url, transport=pooled_transport(10)) as http:
            for _ in range(3):  # the same kept-alive connection
                response = await http.get("/v1/restaurants/r_1")
                assert response.status_code == 200
                assert response.json() == {}


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (closes_without_answer, httpx.RemoteProtocolError),
        (resets, httpx.TransportError),
        (stops_mid_body, httpx.ReadError),
        (resets_mid_body, httpx.TransportError),
        (speaks_gibberish, httpx.RemoteProtocolError),
    ],
)
async def test_a_broken_exchange_is_a_transport_error_not_a_timeout(
    behaviour: Behaviour, error: type[Exception]
) -> None:
    async for url in _serve(behaviour):
        with pytest.raises(error) as raised:
            await _get(url)
        assert not isinstance(raised.value, httpx.TimeoutException)


async def test_silence_is_a_read_timeout() -> None:
    async for url in _serve(never_answers):
        with pytest.raises(httpx.ReadTimeout):
            await _get(url, read_timeout=0.2)


async def test_no_free_connection_in_time_is_a_connect_timeout() -> None:
    async for url in _serve(never_answers):
        timeout = httpx.Timeout(2.0, pool=0.1)
        async with httpx.AsyncClient(
            base_url=url, transport=pooled_transport(1), timeout=timeout
        ) as http:
            holding = asyncio.create_task(http.get("/v1/restaurants/r_1"))
            await asyncio.sleep(0.05)  # the only connection is now taken
            with pytest.raises(httpx.ConnectTimeout):
                await http.get("/v1/restaurants/r_2")
            holding.cancel()


async def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(httpx.ConnectError):
        await _get(f"http://127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        (closes_without_answer, DownstreamUnavailable),
        (stops_mid_body, DownstreamUnavailable),
        (speaks_gibberish, DownstreamUnavailable),
        (never_answers, DownstreamTimeout),
        (bad_encoding, MalformedResponse),
    ],
)
async def test_the_clients_see_the_right_downstream_error(
    behaviour: Behaviour, error: type[Exception]
) -> None:
    async for url in _serve(behaviour):
        async with httpx.AsyncClient(transport=pooled_transport(10)) as http:
            with pytest.raises(error) as raised:
                await send_request(
                    http,
                    "menu",
                    "GET",
                    request_url(url, "/v1/restaurants/r_1", None),
                    content=None,
                    headers=CallContext(client="mobile").headers(),
                    wait=httpx.Timeout(0.2),
                )
            if error is DownstreamUnavailable:
                assert not isinstance(raised.value, DownstreamTimeout)


async def test_cookies_a_service_sets_never_go_out_again() -> None:
    # One client serves every customer: a cookie kept from one answer would go out with
    # everybody's next call to that service.
    seen: list[bytes] = []

    async def sets_cookies(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                seen.append(await reader.readuntil(b"\r\n\r\n"))
            except asyncio.IncompleteReadError:
                return
            writer.write(
                b"HTTP/1.1 200 OK\r\nset-cookie: session=u_1-secret; Path=/\r\n"
                b"content-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
            )
            await writer.drain()

    async for url in _serve(sets_cookies):
        transport = ServiceTransport("menu", TransportConfig(url))
        try:
            for user in ("u_1", "u_2"):
                ctx = CallContext(client="web", user_id=user)
                answer = await transport.call("GET", "/v1/restaurants/r_1", ctx, route="GET r")
                assert answer.status == 200
        finally:
            await transport.aclose()
    assert len(seen) == 2
    assert all(b"cookie" not in request.lower().replace(b"set-cookie", b"") for request in seen)
