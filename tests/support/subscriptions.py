"""Subscription clients for tests: graphql-transport-ws, legacy graphql-ws, and graphql-sse."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

from tests.support.graphql import operation_document, token_for

MESSAGE_TIMEOUT_S = 10.0


def _ws_url(base_url: str, client: str) -> str:
    return base_url.replace("http://", "ws://") + f"/{client}/graphql"


async def transport_ws(
    base_url: str,
    client: str,
    variables: dict[str, Any],
    *,
    user: str | None,
    document: str | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Yield each ``next`` payload, then stop at ``complete``; an ``error`` is yielded too."""
    payload = {"Authorization": f"Bearer {token_for(user)}"} if user else {}
    async with websockets.connect(
        _ws_url(base_url, client), subprotocols=[websockets.Subprotocol("graphql-transport-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), MESSAGE_TIMEOUT_S))
        assert ack["type"] == "connection_ack", ack
        query = document or operation_document(client, "TrackOrder")
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": variables},
                }
            )
        )
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), MESSAGE_TIMEOUT_S))
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            if message["type"] == "complete":
                return
            if message["type"] == "error":
                yield {"errors": message["payload"]}
                return
            yield message["payload"]


async def legacy_ws(
    base_url: str, client: str, variables: dict[str, Any], *, user: str | None
) -> AsyncIterator[dict[str, Any]]:
    payload = {"Authorization": f"Bearer {token_for(user)}"} if user else {}
    async with websockets.connect(
        _ws_url(base_url, client), subprotocols=[websockets.Subprotocol("graphql-ws")]
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        query = operation_document(client, "TrackOrder")
        await ws.send(
            json.dumps(
                {"id": "1", "type": "start", "payload": {"query": query, "variables": variables}}
            )
        )
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), MESSAGE_TIMEOUT_S))
            if message["type"] in ("connection_ack", "ka"):
                continue
            if message["type"] == "complete":
                return
            if message["type"] == "error":
                yield {"errors": [message["payload"]]}
                return
            yield message["payload"]


async def sse(
    base_url: str, client: str, variables: dict[str, Any], *, user: str | None
) -> AsyncIterator[dict[str, Any]]:
    headers = {"Accept": "text/event-stream"}
    if user:
        headers["Authorization"] = f"Bearer {token_for(user)}"
    body = {"query": operation_document(client, "TrackOrder"), "variables": variables}
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=MESSAGE_TIMEOUT_S) as http,
        http.stream("POST", f"/{client}/graphql", json=body, headers=headers) as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "next":
                yield json.loads(line.split(":", 1)[1])
            elif event == "complete":
                return
