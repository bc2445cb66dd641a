"""The request's objects outlive the endpoint until the response is sent, then go at once."""

from __future__ import annotations

import asyncio
import gc
import json
import weakref
from collections.abc import Iterator

import pytest
from asgi_lifespan import LifespanManager
from starlette.requests import HTTPConnection
from starlette.types import Message, Receive, Scope, Send

from bff import graphql
from bff.app import create_app
from bff.release_after_response import ReleaseAfterResponse, keep_until_sent
from bff.settings import Settings


class Context:
    """Stands for the GraphQL context: refers back to the request, as strawberry's does."""

    def __init__(self, connection: HTTPConnection) -> None:
        self.connection = connection


@pytest.fixture
def no_cyclic_collector() -> Iterator[None]:
    """Freed means freed by reference counting: the cyclic collector does not run meanwhile."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def http_scope() -> Scope:
    return {"type": "http", "method": "POST", "path": "/mobile/graphql", "headers": []}


async def receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


@pytest.mark.usefixtures("no_cyclic_collector")
async def test_the_context_lives_until_the_body_is_sent_then_is_freed() -> None:
    refs: list[weakref.ref[Context]] = []
    alive_at_send: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        connection = HTTPConnection(scope)
        context = Context(connection)
        keep_until_sent(connection, context)
        refs.append(weakref.ref(context))
        del context  # the endpoint returns: only what was kept holds it now
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}", "more_body": False})

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            alive_at_send.append(refs[0]() is not None)

    await ReleaseAfterResponse(app)(http_scope(), receive, send)

    assert alive_at_send == [True]
    assert refs[0]() is not None  # the answer is written at the end of this loop turn
    await asyncio.sleep(0)
    assert refs[0]() is None


@pytest.mark.usefixtures("no_cyclic_collector")
async def test_a_failing_app_still_releases_what_it_kept() -> None:
    refs: list[weakref.ref[Context]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        connection = HTTPConnection(scope)
        context = Context(connection)
        keep_until_sent(connection, context)
        refs.append(weakref.ref(context))
        raise RuntimeError("boom")

    async def send(message: Message) -> None:
        raise AssertionError("nothing is sent")

    with pytest.raises(RuntimeError):
        await ReleaseAfterResponse(app)(http_scope(), receive, send)
    await asyncio.sleep(0)
    assert refs[0]() is None


@pytest.mark.usefixtures("no_cyclic_collector")
async def test_under_load_what_was_kept_is_freed_at_once() -> None:
    # With another request in flight there is no idle turn to save: the objects go while
    # they are still in the CPU's caches.
    refs: list[weakref.ref[Context]] = []
    other_may_finish = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        connection = HTTPConnection(scope)
        if scope["path"] == "/slow":
            await other_may_finish.wait()
            return
        context = Context(connection)
        keep_until_sent(connection, context)
        refs.append(weakref.ref(context))

    async def send(message: Message) -> None:
        pass

    middleware = ReleaseAfterResponse(app)
    slow_scope = http_scope()
    slow_scope["path"] = "/slow"
    slow = asyncio.ensure_future(middleware(slow_scope, receive, send))
    await asyncio.sleep(0)  # the slow request is in flight
    await middleware(http_scope(), receive, send)

    assert refs[0]() is None  # no turn of the loop has passed
    other_may_finish.set()
    await slow


def test_outside_the_middleware_nothing_is_kept() -> None:
    scope = http_scope()
    connection = HTTPConnection(scope)
    keep_until_sent(connection, Context(connection))
    assert "state" not in scope or not scope["state"]


@pytest.mark.usefixtures("no_cyclic_collector")
async def test_the_apps_graphql_context_is_freed_right_after_its_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs: list[weakref.ref[object]] = []

    def recording(connection: HTTPConnection, value: object) -> None:
        refs.append(weakref.ref(value))
        keep_until_sent(connection, value)

    monkeypatch.setattr(graphql, "keep_until_sent", recording)
    app = create_app(Settings(rate_limits=False))
    body = json.dumps({"query": "{ __typename }"}).encode()
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/mobile/graphql",
        "raw_path": b"/mobile/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"bff")],
        "client": ("127.0.0.1", 1234),
        "server": ("bff", 80),
    }
    sent: list[Message] = []
    alive_at_send: list[bool] = []

    async def receive_body() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            alive_at_send.append(all(ref() is not None for ref in refs))

    async with LifespanManager(app) as manager:
        await manager.app(scope, receive_body, send)

        assert json.loads(sent[-1]["body"]) == {"data": {"__typename": "Query"}}
        assert len(refs) == 1 and alive_at_send == [True]
        await asyncio.sleep(0)
        assert refs[0]() is None  # freed by reference counting, once the answer was sent
