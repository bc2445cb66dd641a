"""Fixtures for the mocks' own tests: fresh mock servers, so faults never leak between tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mocks.runner import MockServers


@pytest.fixture
def mocks() -> Iterator[MockServers]:
    with MockServers(ping_interval=0.2) as servers:
        yield servers


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=httpx.Timeout(10.0)) as http:
        yield http
