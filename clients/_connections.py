"""The connection pool under each service's httpx client: aiohttp's, through httpx-aiohttp.

httpcore's pool walks every connection it holds twice per request, and asks each idle one
whether its socket is readable (a system call each). Under load a service's pool holds about
as many connections as there are requests in flight, so a call costs more the busier the
BFF is: measured with 32 concurrent calls (``bench/``), 2.3 ms of CPU per call with httpcore,
0.46 ms with aiohttp's pool. The httpx client, its timeouts and its exceptions stay as they
are; only the transport underneath changes.

httpx-aiohttp maps aiohttp's exceptions onto httpx's, but files a server that closed the
connection (and a reset socket) under ``ConnectTimeout``, and lets a few others through as
they are. Here a timeout stays a timeout and every other failure of the exchange is an
``httpx`` transport error, which the clients treat as the service being unavailable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport


class _NoCookies(httpx.Cookies):
    """Shared by every downstream client: it never holds a cookie."""

    def extract_cookies(self, response: httpx.Response) -> None:
        pass

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        raise TypeError("downstream calls carry no cookies")


_NO_COOKIES = _NoCookies()


class DownstreamClient(httpx.AsyncClient):
    """httpx's client, without a cookie jar.

    One client serves every customer's calls to a service: a cookie one answer set would go
    out with everybody's next call. The contract uses none, and keeping them cost about 10 µs
    per call (httpx emulates urllib's request and response for the standard cookie jar).
    """

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        raise TypeError("downstream calls carry no cookies")


class PooledTransport(AiohttpTransport):
    def get_client(self) -> aiohttp.ClientSession:
        """aiohttp's session as httpx-aiohttp makes it, without a cookie jar either."""
        limit = self.limits.max_connections
        connector = aiohttp.TCPConnector(
            limit=limit if limit is not None else 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except (httpx.TimeoutException, aiohttp.ClientError, TimeoutError) as exc:
            raise _remapped(exc, request) from _cause(exc)
        # The body is read later, through the stream: its failures are remapped there too.
        response.stream = _RemappedStream(response.stream, request)
        return response


class _RemappedStream(httpx.AsyncByteStream):
    def __init__(
        self, stream: httpx.AsyncByteStream | httpx.SyncByteStream, request: httpx.Request
    ):
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._stream, httpx.AsyncByteStream)
        try:
            async for chunk in self._stream:
                yield chunk
        except (httpx.TimeoutException, aiohttp.ClientError, TimeoutError) as exc:
            raise _remapped(exc, self._request) from _cause(exc)

    async def aclose(self) -> None:
        assert isinstance(self._stream, httpx.AsyncByteStream)
        await self._stream.aclose()


def _cause(error: BaseException) -> BaseException:
    return (
        error.__cause__ if isinstance(error, httpx.TimeoutException) and error.__cause__ else error
    )


def _remapped(error: BaseException, request: httpx.Request) -> BaseException:
    """A timeout stays a timeout; any other failure of the exchange is a transport error."""
    cause = _cause(error)
    if isinstance(cause, TimeoutError):
        return (
            error
            if isinstance(error, httpx.TimeoutException)
            else httpx.ReadTimeout("timed out", request=request)
        )
    if isinstance(cause, aiohttp.ClientError):
        kind = next((k for f, k in _NOT_TIMEOUTS if isinstance(cause, f)), httpx.ReadError)
        return kind(_describe(cause), request=request)
    return error


# What aiohttp's failures are, in httpx's terms (the first that matches); any other is a
# ReadError. httpx-aiohttp itself reports most of them as ConnectTimeout.
_NOT_TIMEOUTS: list[tuple[type[aiohttp.ClientError], type[httpx.TransportError]]] = [
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def pooled_transport(max_connections: int) -> httpx.AsyncBaseTransport:
    return PooledTransport(limits=httpx.Limits(max_connections=max_connections))
