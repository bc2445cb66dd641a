"""The identity provider's signing keys (JWKS): fetched at start, cached, and fetched again
only for a token whose ``kid`` is unknown, at most once per interval; never per request."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

log = logging.getLogger("bff.jwks")

# The key type each asymmetric algorithm family must be signed with.
KEY_TYPES = {"RS": "RSA", "ES": "EC"}


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    key_type: str
    algorithm: str | None
    key: Any

    def verifies(self, algorithm: str) -> bool:
        """Whether a token of ``algorithm`` may be checked with this key (no HS/RS confusion:
        a public key never stands for a shared secret)."""
        family = KEY_TYPES.get(algorithm[:2])
        return family == self.key_type and self.algorithm in (None, algorithm)


class JwksKeys:
    """The keys by ``kid``. ``get`` is a dict lookup; ``refresh_for`` fetches the set again
    for an unknown ``kid`` unless it was fetched less than ``min_refresh_interval_s`` ago."""

    def __init__(
        self,
        url: str,
        *,
        min_refresh_interval_s: float = 30.0,
        timeout_s: float = 2.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = url
        self._min_interval = min_refresh_interval_s
        self._timeout = timeout_s
        self._transport = transport
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    def get(self, kid: str | None) -> SigningKey | None:
        return self._keys.get(kid) if kid is not None else None

    async def refresh_for(self, kid: str | None) -> None:
        if kid is None or kid in self._keys:
            return
        async with self._lock:  # concurrent unknown kids share one fetch
            if kid in self._keys or not self._may_fetch():
                return
            await self.refresh()

    async def refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as http:
                response = await http.get(self._url)
                response.raise_for_status()
                self._keys = _signing_keys(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            # Keep the keys we had: a provider's hiccup must not sign everyone out.
            log.warning("could not fetch the JWKS at %s: %s", self._url, exc)

    def _may_fetch(self) -> bool:
        return self._fetched_at is None or (
            time.monotonic() - self._fetched_at >= self._min_interval
        )


def _signing_keys(document: Any) -> dict[str, SigningKey]:
    keys: dict[str, SigningKey] = {}
    for data in document.get("keys", []) if isinstance(document, dict) else []:
        kid, key_type = data.get("kid"), data.get("kty")
        if not isinstance(kid, str) or key_type not in KEY_TYPES.values():
            continue  # symmetric ("oct") keys never come from a public JWKS
        if data.get("use", "sig") != "sig":
            continue
        try:
            key = jwt.PyJWK.from_dict(data).key
        except jwt.PyJWTError as exc:
            log.warning("skipping JWKS key %s: %s", kid, exc)
            continue
        algorithm = data.get("alg") if isinstance(data.get("alg"), str) else None
        keys[kid] = SigningKey(kid, key_type, algorithm, key)
    return keys
