"""Who is calling: bearer JWTs verified at the edge, and development tokens."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import jwt
from cachetools import TLRUCache
from jwt.warnings import InsecureKeyLengthWarning

from bff.jwks import JwksKeys
from clients import is_valid_id

DEV_TOKEN_TTL_S = 7 * 24 * 3600
# An app sends the same token with every request for as long as it lives; verifying its
# signature again each time was about a tenth of a small request's CPU. A verified token is
# remembered until it expires, for at most this long, so that a signing key withdrawn from
# the JWKS stops being honoured within a minute.
VERIFIED_TOKEN_TTL_S = 60.0
VERIFIED_TOKENS_MAX = 10_000

# The documented development secret is short; production refuses it (see Settings), so the
# library's key-length warning would only repeat on every development request.
warnings.filterwarnings("ignore", category=InsecureKeyLengthWarning)


@dataclass(frozen=True, slots=True)
class Identity:
    """The authenticated customer, or why there is none (for logs, never for apps)."""

    user_id: str | None
    error: str | None = None


ANONYMOUS = Identity(user_id=None)


class TokenVerifier:
    """Verifies ``Authorization: Bearer`` tokens; ``sub`` is the customer id."""

    def __init__(
        self,
        secret: str,
        algorithms: list[str],
        *,
        leeway_s: float = 0,
        keys: JwksKeys | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        # "none" never verifies anything; it is refused whatever the settings say.
        self._algorithms = [a for a in algorithms if a.lower() != "none"]
        self._leeway = leeway_s
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._required = ["sub", "exp"] + ["iss"] * bool(issuer) + ["aud"] * bool(audience)
        # Keyed by the whole token, signature included: only the exact token verified earlier
        # can hit. Refusals are not remembered, so garbage tokens cannot churn the entries.
        self._verified: TLRUCache[str, tuple[Identity, float]] = TLRUCache(
            VERIFIED_TOKENS_MAX, ttu=lambda _token, entry, _now: entry[1], timer=clock
        )
        self._clock = clock

    async def prepare(self, authorization: str | None) -> None:
        """Fetch the signing keys again if the token names a ``kid`` not seen yet (rate
        limited in ``JwksKeys``); ``identify`` then stays a synchronous lookup."""
        if self._keys is None or not authorization:
            return
        token = authorization.partition(" ")[2].strip()
        if token in self._verified:
            return
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            return
        if isinstance(kid, str):
            await self._keys.refresh_for(kid)

    def _key_for(self, header: dict[str, object]) -> object | None:
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self._algorithms:
            return None
        if algorithm.startswith("HS"):
            return self._secret
        kid = header.get("kid")
        signing_key = self._keys.get(kid) if self._keys and isinstance(kid, str) else None
        return signing_key.key if signing_key and signing_key.verifies(algorithm) else None

    def identify(self, authorization: str | None) -> Identity:
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return Identity(None, "not a bearer token")
        remembered = self._verified.get(token)
        if remembered is not None:
            return remembered[0]
        identity, expires_at = self._verify(token)
        if expires_at is not None:
            ttl_end = min(expires_at, self._clock() + VERIFIED_TOKEN_TTL_S)
            self._verified[token] = (identity, ttl_end)
        return identity

    def _verify(self, token: str) -> tuple[Identity, float | None]:
        """The token's identity and, when it is valid, until when it stays valid."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in self._algorithms:
                return Identity(None, "invalid token: InvalidAlgorithmError"), None
            key = self._key_for(header)
            if key is None:
                return Identity(None, "invalid token: unknown signing key"), None
            claims = jwt.decode(
                token,
                key,  # type: ignore[arg-type]
                algorithms=[str(header["alg"])],
                leeway=self._leeway,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": self._required},
            )
        except jwt.ExpiredSignatureError:
            return Identity(None, "token expired"), None
        except jwt.InvalidTokenError as exc:
            return Identity(None, f"invalid token: {type(exc).__name__}"), None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not is_valid_id(subject):
            return Identity(None, "invalid subject"), None
        # PyJWT has checked that "exp" is a number; the leeway it allowed applies here too.
        return Identity(subject), float(claims["exp"]) + self._leeway


def issue_token(secret: str, user_id: str, *, ttl_s: int = DEV_TOKEN_TTL_S) -> str:
    """A development token for ``user_id`` signed with the HS256 secret."""
    now = int(time.time())
    return jwt.encode({"sub": user_id, "iat": now, "exp": now + ttl_s}, secret, algorithm="HS256")
