"""The connection pool under each service's httpx client: aiohttp's, through httpx-aiohttp.

httpcore's pool walks every connection it holds twice per request, and asks each idle one
whether its socket is readable (a system call each). Under load a service's pool holds about
as many connections as there are requests in flight, so a call costs more the busier the
BFF is: measured with 32 concurrent calls (``bench/``), 2.3 ms of CPU per call with httpcore,
0.46 ms with aiohttp's pool. The httpx client, its timeouts and its exceptions stay as they
are; only the transport underneath changes.

httpx-aiohttp maps aiohttp's exceptions onto httpx's, but files a server that closed the
connection (and a reset socket) under ``ConnectTimeout``, and lets a few others through as
they are. Its exchange is replaced here (``PooledTransport.handle_async_request``): a timeout
stays a timeout and every other failure of the exchange is an ``httpx`` transport error, which
the clients treat as the service being unavailable.
"""

from __future__ import annotations

import aiohttp
import httpx
import yarl
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
        """One exchange, its answer read whole before it is handed to httpx.

        The service calls always read the whole answer. httpx-aiohttp's own exchange streams
        it through two async generators (its own, and one more here to remap its failures),
        re-parses the URL httpx already parsed and builds an aiohttp timeout per call: 5 to
        10 µs of CPU per call (``bench/micro.py``), and its errors needed mapping twice. The
        body still goes through httpx's decoders (a Content-Encoding that does not decode is
        httpx's ``DecodingError``). Nothing streams through this transport: the event streams
        have a client of their own.
        """
        if not isinstance(self.client, aiohttp.ClientSession):
            self.client = self.get_client()
        try:
            async with self.client.request(
                request.method,
                # httpx has parsed and encoded it already: aiohttp need not do it again.
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                auto_decompress=False,
                compress=False,
                timeout=_client_timeout(request.extensions.get("timeout", {})),
            ) as response:
                body = await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _remapped(exc, request) from exc
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=httpx.ByteStream(body),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )


_TIMEOUTS: dict[tuple[float | None, float | None, float | None], aiohttp.ClientTimeout] = {}


def _client_timeout(timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's timeouts in aiohttp's terms, made once per distinct set (calls share a few)."""
    key = (timeout.get("connect"), timeout.get("read"), timeout.get("pool"))
    found = _TIMEOUTS.get(key)
    if found is None:
        if len(_TIMEOUTS) > 1024:  # per-call deadlines make new sets: keep the map bounded
            _TIMEOUTS.clear()
        found = _TIMEOUTS[key] = aiohttp.ClientTimeout(
            sock_connect=key[0], sock_read=key[1], connect=key[2]
        )
    return found


def _remapped(error: BaseException, request: httpx.Request) -> httpx.TransportError:
    """A timeout stays a timeout; any other failure of the exchange is a transport error."""
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout("timed out connecting", request=request)
    if isinstance(error, TimeoutError):
        return httpx.ReadTimeout("timed out", request=request)
    kind = next((k for f, k in _NOT_TIMEOUTS if isinstance(error, f)), httpx.ReadError)
    return kind(_describe(error), request=request)


# What aiohttp's failures are, in httpx's terms (the first that matches); any other is a
# ReadError.
_NOT_TIMEOUTS: list[tuple[type[aiohttp.ClientError], type[httpx.TransportError]]] = [
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),
]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def pooled_transport(max_connections: int) -> httpx.AsyncBaseTransport:
    return PooledTransport(limits=httpx.Limits(max_connections=max_connections))
