"""Session fixtures: the downstream services under test (real URLs or the project's mocks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mocks.runner import MockServers

SERVICES = ("menu", "order", "courier")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("downstream", "downstream services for tests/contract")
    for name in SERVICES:
        group.addoption(
            f"--{name}-url",
            default=None,
            help=f"base URL of a {name} service to test (default: start the mocks)",
        )


def explicit_urls(config: pytest.Config) -> dict[str, str] | None:
    """The URLs given on the command line, or None to use the mocks."""
    given = {name: config.getoption(f"--{name}-url") for name in SERVICES}
    if not any(given.values()):
        return None
    missing = [f"--{name}-url" for name, url in given.items() if not url]
    if missing:
        raise pytest.UsageError(f"give all three service URLs; missing {', '.join(missing)}")
    return {name: str(url).rstrip("/") for name, url in given.items()}


@pytest.fixture(scope="session")
def mock_servers() -> Iterator[MockServers]:
    """The mocks on free ports for the whole session, pinging event streams every 0.2 s."""
    with MockServers(ping_interval=0.2) as servers:
        yield servers


@pytest.fixture(scope="session")
def downstream_urls(request: pytest.FixtureRequest) -> dict[str, str]:
    """Base URL of each service: the ones given with --menu-url etc., else the mocks'."""
    urls = explicit_urls(request.config)
    if urls is not None:
        return urls
    servers: MockServers = request.getfixturevalue("mock_servers")
    return dict(servers.urls)
