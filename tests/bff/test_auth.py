"""Bearer JWT verification: a valid token names the user; anything else nobody, with a reason."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt
import pytest

from bff.auth import ANONYMOUS, Identity, TokenVerifier, issue_token

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
verifier = TokenVerifier(SECRET, ["HS256"])


def _token(claims: dict[str, Any], *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "u_1", "iat": now, "exp": now + 600, **overrides}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_valid_token_names_the_user() -> None:
    assert verifier.identify(f"Bearer {_token(_claims())}") == Identity("u_1")


def test_scheme_is_case_insensitive_and_spaces_are_trimmed() -> None:
    assert verifier.identify(f"bearer  {_token(_claims())} ").user_id == "u_1"


def test_issued_token_verifies() -> None:
    token = issue_token(SECRET, "u_42", ttl_s=60)
    assert verifier.identify(f"Bearer {token}") == Identity("u_42")
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert 55 <= claims["exp"] - time.time() <= 60


def test_no_header_is_anonymous_without_error() -> None:
    assert verifier.identify(None) is ANONYMOUS
    assert verifier.identify("") is ANONYMOUS
    assert ANONYMOUS.error is None


def _assert_refused(identity: Identity, reason: str) -> None:
    assert identity.user_id is None
    assert identity.error is not None
    assert reason in identity.error


def test_expired_token() -> None:
    now = int(time.time())
    token = _token(_claims(iat=now - 3600, exp=now - 60))
    _assert_refused(verifier.identify(f"Bearer {token}"), "expired")


def test_leeway_accepts_a_just_expired_token() -> None:
    token = _token(_claims(exp=int(time.time()) - 5))
    assert TokenVerifier(SECRET, ["HS256"], leeway_s=30).identify(f"Bearer {token}").user_id == (
        "u_1"
    )


def test_bad_signature() -> None:
    token = _token(_claims(), secret="another-secret-of-the-same-good-length!!")
    _assert_refused(verifier.identify(f"Bearer {token}"), "InvalidSignatureError")


def test_tampered_payload() -> None:
    header, _, signature = _token(_claims()).split(".")
    payload = _b64(b'{"sub":"u_2","exp":9999999999}')
    _assert_refused(verifier.identify(f"Bearer {header}.{payload}.{signature}"), "invalid token")


def test_alg_none_is_refused() -> None:
    header = _b64(b'{"alg":"none","typ":"JWT"}')
    payload = _b64(b'{"sub":"u_1","exp":9999999999}')
    _assert_refused(verifier.identify(f"Bearer {header}.{payload}."), "invalid token")


def test_other_algorithm_is_refused_even_with_the_right_secret() -> None:
    token = _token(_claims(), algorithm="HS512")
    _assert_refused(verifier.identify(f"Bearer {token}"), "InvalidAlgorithmError")


@pytest.mark.parametrize("missing", ["sub", "exp"])
def test_missing_required_claim(missing: str) -> None:
    claims = _claims()
    del claims[missing]
    _assert_refused(verifier.identify(f"Bearer {_token(claims)}"), "MissingRequiredClaimError")


@pytest.mark.parametrize("subject", ["u_1,u_2", "u 1", "u/1", "", "u" * 65])
def test_subject_that_is_not_an_id(subject: str) -> None:
    identity = verifier.identify(f"Bearer {_token(_claims(sub=subject))}")
    assert identity.user_id is None
    assert identity.error is not None


def test_non_string_subject() -> None:
    identity = verifier.identify(f"Bearer {_token(_claims(sub=123))}")
    assert identity.user_id is None
    assert identity.error is not None


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer    ", "Bearerabc.def.ghi"],
)
def test_not_a_bearer_token(header: str) -> None:
    _assert_refused(verifier.identify(header), "not a bearer token")


@pytest.mark.parametrize("garbage", ["abc", "a.b.c", "....", "eyJ.eyJ.x"])
def test_garbage_token(garbage: str) -> None:
    _assert_refused(verifier.identify(f"Bearer {garbage}"), "invalid token")


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _counting_verifier(monkeypatch: pytest.MonkeyPatch) -> tuple[TokenVerifier, _Clock, list[str]]:
    clock = _Clock()
    counted = TokenVerifier(SECRET, ["HS256"], clock=clock)
    verified: list[str] = []
    verify = counted._verify

    def counting(token: str) -> tuple[Identity, float | None]:
        verified.append(token)
        return verify(token)

    monkeypatch.setattr(counted, "_verify", counting)
    return counted, clock, verified


def test_a_verified_token_is_remembered_for_at_most_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counted, clock, verified = _counting_verifier(monkeypatch)
    header = f"Bearer {_token(_claims(exp=int(clock.now) + 3600))}"
    assert counted.identify(header).user_id == "u_1"
    assert counted.identify(header).user_id == "u_1"
    assert len(verified) == 1
    clock.now += 61
    assert counted.identify(header).user_id == "u_1"
    assert len(verified) == 2


def test_a_remembered_token_is_forgotten_when_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    counted, clock, verified = _counting_verifier(monkeypatch)
    header = f"Bearer {_token(_claims(exp=int(clock.now) + 10))}"
    counted.identify(header)
    clock.now += 11
    counted.identify(header)
    assert len(verified) == 2


def test_refusals_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    counted, _clock, verified = _counting_verifier(monkeypatch)
    bad = _token(_claims(), secret="another-secret-of-the-same-good-length!!")
    for _ in range(2):
        _assert_refused(counted.identify(f"Bearer {bad}"), "InvalidSignatureError")
    assert len(verified) == 2


def test_only_the_exact_token_hits_the_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    counted, _clock, _verified = _counting_verifier(monkeypatch)
    token = _token(_claims())
    assert counted.identify(f"Bearer {token}").user_id == "u_1"
    header, _payload, signature = token.split(".")
    other_payload = _b64(b'{"sub":"u_2","exp":9999999999}')
    forged = f"{header}.{other_payload}.{signature}"
    _assert_refused(counted.identify(f"Bearer {forged}"), "invalid token")
