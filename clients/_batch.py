"""Batch gets: validate ids, split them into chunks of the maximum, fetch them concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from clients._context import CallContext
from clients._ids import check_id
from clients._models import ContractModel, Items
from clients._transport import DownstreamResponse, ServiceTransport

T = TypeVar("T", bound=ContractModel)


async def batch_get(
    transport: ServiceTransport,
    path: str,
    *,
    param: str,
    ids: Iterable[str],
    max_ids: int,
    model: type[T],
    key: Callable[[T], str],
    ctx: CallContext,
) -> dict[str, T]:
    """Fetch ``ids`` from a batch endpoint; absent ids are absent from the result."""
    unique = list(dict.fromkeys(check_id(i) for i in ids))
    if not unique:
        return {}
    chunks = [unique[i : i + max_ids] for i in range(0, len(unique), max_ids)]
    responses = await _gather_or_cancel(
        [transport.get(path, ctx, params={param: ",".join(chunk)}) for chunk in chunks]
    )
    envelope: type[Items[T]] = Items[model]  # type: ignore[valid-type]
    wanted = set(unique)
    found: dict[str, T] = {}
    for response in responses:
        for item in response.decode(transport.service, envelope).items:
            item_key = key(item)
            if item_key in wanted:
                found[item_key] = item
    return found


async def _gather_or_cancel(
    calls: list[Coroutine[Any, Any, DownstreamResponse]],
) -> list[DownstreamResponse]:
    # One chunk failing fails the batch; the other chunks are cancelled rather than left running.
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
