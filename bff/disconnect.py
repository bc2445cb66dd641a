"""Cancel a request's work when its client goes away, so no downstream call outlives it."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class CancelOnDisconnect:
    """Pure ASGI middleware: once the body is read, a watcher waits for ``http.disconnect``
    and cancels the request's task if the response has not been sent by then."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_read = asyncio.Event()
        later: asyncio.Queue[Message] = asyncio.Queue()
        finished = False
        disconnected = False

        async def app_receive() -> Message:
            if body_read.is_set():
                return await later.get()  # after the body, messages come through the watcher
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_read.set()
            return message

        async def app_send(message: Message) -> None:
            nonlocal finished
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished = True

        task = asyncio.ensure_future(self.app(scope, app_receive, app_send))

        async def watch() -> None:
            nonlocal disconnected
            await body_read.wait()
            message = await receive()
            later.put_nowait(message)
            if message["type"] == "http.disconnect" and not finished and not task.done():
                disconnected = True
                task.cancel()

        watcher = asyncio.ensure_future(watch())
        try:
            await task
        except asyncio.CancelledError:
            if not disconnected:
                raise
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
