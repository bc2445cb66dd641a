"""Fixtures of the contract tests: an HTTP client and each service's base URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(10.0)) as client:
        yield client


@pytest.fixture(scope="session")
def menu_url(downstream_urls: dict[str, str]) -> str:
    return downstream_urls["menu"]


@pytest.fixture(scope="session")
def order_url(downstream_urls: dict[str, str]) -> str:
    return downstream_urls["order"]


@pytest.fixture(scope="session")
def courier_url(downstream_urls: dict[str, str]) -> str:
    return downstream_urls["courier"]
