"""Who is calling: bearer JWTs verified at the edge, and development tokens."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from clients import is_valid_id

DEV_TOKEN_TTL_S = 7 * 24 * 3600

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

    def __init__(self, secret: str, algorithms: list[str], *, leeway_s: float = 0) -> None:
        self._secret = secret
        self._algorithms = algorithms
        self._leeway = leeway_s

    def identify(self, authorization: str | None) -> Identity:
        if not authorization:
            return ANONYMOUS
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Identity(None, "not a bearer token")
        try:
            claims = jwt.decode(
                token.strip(),
                self._secret,
                algorithms=self._algorithms,
                leeway=self._leeway,
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            return Identity(None, "token expired")
        except jwt.InvalidTokenError as exc:
            return Identity(None, f"invalid token: {type(exc).__name__}")
        subject = claims.get("sub")
        if not isinstance(subject, str) or not is_valid_id(subject):
            return Identity(None, "invalid subject")
        return Identity(subject)


def issue_token(secret: str, user_id: str, *, ttl_s: int = DEV_TOKEN_TTL_S) -> str:
    """A development token for ``user_id`` signed with the HS256 secret."""
    now = int(time.time())
    return jwt.encode({"sub": user_id, "iat": now, "exp": now + ttl_s}, secret, algorithm="HS256")
