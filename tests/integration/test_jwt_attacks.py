"""Bearer tokens verified against a JWKS served over HTTP: each attack in the table is refused
with UNAUTHENTICATED; good RS256 and ES256 tokens work, and a rotated-in key is fetched."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bff.app import create_app
from bff.settings import Settings
from mocks.runner import MockServers
from tests.support.graphql import GraphQLClient
from tests.support.served import ServedApp

ISSUER = "https://id.example"
AUDIENCE = "food-bff"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ROTATED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg.startswith("RS") else jwt.algorithms.ECAlgorithm
    data: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return data | {"kid": kid, "alg": alg, "use": "sig"}


class Jwks:
    def __init__(self) -> None:
        self.keys = [_jwk(RSA_KEY, "rsa-1", "RS256"), _jwk(EC_KEY, "ec-1", "ES256")]
        self.fetches = 0

    async def endpoint(self, request: Request) -> JSONResponse:
        self.fetches += 1
        return JSONResponse({"keys": self.keys})


@pytest.fixture(scope="module")
def jwks() -> Iterator[tuple[Jwks, str]]:
    keys = Jwks()
    with ServedApp(Starlette(routes=[Route("/jwks.json", keys.endpoint)])) as served:
        yield keys, f"{served.url}/jwks.json"


@pytest.fixture(scope="module")
def client(mocks: MockServers, jwks: tuple[Jwks, str]) -> Iterator[GraphQLClient]:
    settings = Settings(
        _env_file=None,
        menu_url=mocks.urls["menu"],
        order_url=mocks.urls["order"],
        courier_url=mocks.urls["courier"],
        jwt_jwks_url=jwks[1],
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_algorithms=["RS256", "ES256"],
        jwks_min_refresh_interval_s=0,
    )
    with ServedApp(create_app(settings)) as served:
        yield GraphQLClient(served.url, "mobile")


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "u_1", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
    return {k: v for k, v in (claims | changes).items() if v is not None}


def _rs256(key: Any = RSA_KEY, kid: str = "rsa-1", **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="RS256", headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], signer: Callable[[bytes], bytes]) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(_claims()).encode())}"
    return f"{signing_input}.{_b64(signer(signing_input.encode()))}"


def _hs_with_public_key() -> str:
    """HS/RS confusion: an HMAC "signed" with the RSA public key as the shared secret."""
    pem = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}
    return _unsigned(header, lambda data: hmac.new(pem, data, hashlib.sha256).digest())


def _bad_signature() -> str:
    head, body, signature = _rs256().split(".")
    return f"{head}.{body}.{signature[:-4]}AAAA"


ATTACKS: dict[str, Callable[[], str]] = {
    "expired": lambda: _rs256(exp=int(time.time()) - 60),
    "not yet valid": lambda: _rs256(nbf=int(time.time()) + 600),
    "wrong audience": lambda: _rs256(aud="another-api"),
    "wrong issuer": lambda: _rs256(iss="https://evil.example"),
    "no expiry": lambda: _rs256(exp=None),
    "bad signature": _bad_signature,
    "signed by another key": lambda: _rs256(key=OTHER_RSA_KEY),
    "alg none": lambda: _unsigned({"alg": "none", "typ": "JWT"}, lambda _: b""),
    "HS/RS confusion": _hs_with_public_key,
    "unknown kid": lambda: _rs256(key=OTHER_RSA_KEY, kid="nope"),
    "ES256 header on an RSA key": lambda: jwt.encode(
        _claims(), EC_KEY, algorithm="ES256", headers={"kid": "rsa-1"}
    ),
    "garbage": lambda: "not.a.jwt",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_each_attack_is_unauthenticated(client: GraphQLClient, attack: str) -> None:
    token = ATTACKS[attack]()
    result = client.query("{ me { id } }", headers={"Authorization": f"Bearer {token}"})
    assert result.data == {"me": None}
    assert result.codes() == ["UNAUTHENTICATED"]


@pytest.mark.parametrize(
    "token",
    [
        lambda: _rs256(),
        lambda: jwt.encode(_claims(), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"}),
    ],
    ids=["RS256", "ES256"],
)
def test_a_good_token_is_accepted(client: GraphQLClient, token: Callable[[], str]) -> None:
    result = client.query("{ me { id } }", headers={"Authorization": f"Bearer {token()}"})
    assert result.data == {"me": {"id": "u_1"}}


def test_keys_are_cached_and_a_rotated_key_is_fetched_once(
    client: GraphQLClient, jwks: tuple[Jwks, str]
) -> None:
    keys, _ = jwks
    before = keys.fetches
    for _ in range(5):
        client.query("{ me { id } }", headers={"Authorization": f"Bearer {_rs256()}"})
    assert keys.fetches == before  # never per request

    keys.keys = [*keys.keys, _jwk(ROTATED_KEY, "rsa-2", "RS256")]
    token = _rs256(key=ROTATED_KEY, kid="rsa-2")
    result = client.query("{ me { id } }", headers={"Authorization": f"Bearer {token}"})
    assert result.data == {"me": {"id": "u_1"}}
    assert keys.fetches == before + 1
