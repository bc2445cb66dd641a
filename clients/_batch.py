"""Batch gets: ids validated, served per entity from the cache where fresh, the rest fetched in
chunks of the endpoint's maximum, concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TypeVar

import msgspec

from clients._context import CallContext
from clients._exceptions import DownstreamUnavailable, PartialBatch
from clients._http import DownstreamResponse, decode_stored
from clients._ids import check_id
from clients._models import ContractModel, Items
from clients._trace import CacheOutcome
from clients._transport import ServiceTransport

T = TypeVar("T", bound=ContractModel)


def entity_tag(route: str, entity_id: str) -> str:
    """The invalidation tag of one entity of a batch endpoint (``GET /v1/restaurants:r_1``)."""
    return f"{route}:{entity_id}"


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
    """Fetch ``ids`` from a batch endpoint; absent ids are absent from the result.

    Raises ``PartialBatch`` (a ``DownstreamUnavailable``) carrying what could be served when
    some ids could neither be fetched nor served stale.
    """
    route = f"GET {path}"
    unique = list(dict.fromkeys(check_id(i) for i in ids))
    found, stale = await _cached_entities(transport, route, unique, model, ctx)
    missing = [i for i in unique if i not in found]
    if not missing:
        return found
    chunks = [missing[i : i + max_ids] for i in range(0, len(missing), max_ids)]
    gets = [
        transport.get(
            path,
            ctx,
            params={param: ",".join(chunk)},
            route=route,
            batch_size=len(chunk),
            tags=[entity_tag(route, i) for i in chunk],
        )
        for chunk in chunks
    ]
    results: list[DownstreamResponse | BaseException]
    if len(gets) == 1:  # the usual case: no task to run it in
        try:
            results = [await gets[0]]
        except Exception as error:
            results = [error]
    else:
        results = await asyncio.gather(*gets, return_exceptions=True)
    failure: DownstreamUnavailable | None = None
    envelope: type[Items[T]] = Items[model]  # type: ignore[valid-type]
    for chunk, result in zip(chunks, results, strict=True):
        if isinstance(result, DownstreamUnavailable):
            failure = failure or result
            _serve_stale(transport, route, chunk, stale, found, ctx)
            continue
        if isinstance(result, BaseException):
            raise result
        items = result.decode(transport.service, envelope).items
        wanted = set(chunk)
        fetched = {key(item): item for item in items if key(item) in wanted}
        found.update(fetched)
        await _store_entities(transport, route, fetched, result, ctx)
    if failure is not None and any(i not in found for i in missing):
        raise PartialBatch(failure, dict(found))
    return found


def _serve_stale(
    transport: ServiceTransport,
    route: str,
    ids: list[str],
    stale: dict[str, tuple[T, float]],
    found: dict[str, T],
    ctx: CallContext,
) -> None:
    """Stale-if-error for entities: expired ones stand in for what the service could not give."""
    served = [i for i in ids if i in stale]
    if not served or transport.cache is None:
        return
    found.update({i: stale[i][0] for i in served})
    transport.cache.stats.stale_served += len(served)
    if ctx.trace is not None:
        record = ctx.trace.start(transport.service, route, len(served), CacheOutcome.STALE)
        record.stale_age_s = max(stale[i][1] for i in served)
        ctx.trace.finish(record, 200)


async def _cached_entities(
    transport: ServiceTransport, route: str, ids: list[str], model: type[T], ctx: CallContext
) -> tuple[dict[str, T], dict[str, tuple[T, float]]]:
    """Fresh entities to use as they are, and expired ones (with their age) for failures."""
    cache = transport.cache
    fresh: dict[str, T] = {}
    stale: dict[str, tuple[T, float]] = {}
    if cache is None or ctx.bypass_cache:
        return fresh, stale
    bases = [f"entity|{route}|{i}" for i in ids]
    entries = await cache.lookup_many(bases, ctx.user_id, route)
    now = cache.clock()
    for entity_id, entry in zip(ids, entries, strict=True):
        if entry is None:
            continue
        value = decode_stored(transport.service, entry, model)
        if entry.is_fresh(now):
            fresh[entity_id] = value
        elif cache.usable_stale(entry):
            stale[entity_id] = (value, cache.age_s(entry))
    if fresh:
        cache.stats.hits += len(fresh)
        if ctx.trace is not None:
            record = ctx.trace.start(transport.service, route, len(fresh), CacheOutcome.HIT)
            ctx.trace.finish(record, 200)
    return fresh, stale


async def _store_entities(
    transport: ServiceTransport,
    route: str,
    entities: dict[str, T],
    response: DownstreamResponse,
    ctx: CallContext,
) -> None:
    cache = transport.cache
    if cache is None or response.from_cache or not response.freshness.storable:
        return
    for entity_id, entity in entities.items():
        await cache.put(
            route,
            f"entity|{route}|{entity_id}",
            ctx.user_id,
            response.freshness,
            msgspec.json.encode(entity),
            None,
            tags=[entity_tag(route, entity_id)],
            decoded=entity,
        )
