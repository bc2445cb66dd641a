"""Both GraphiQL pages in headless Chromium with every non-local request blocked: they load,
run a shared operation and show its result. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.served import ServedApp

try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError:  # the dev extras install it
    pytest.skip("playwright is not installed (pip install -e '.[dev]')", allow_module_level=True)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Quiet on a closed network: no component updates, sync, QUIC probes or first-run pages.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed (apt-get install chromium; .ci/run installs it)",
)


class BlockedRequests:
    """Every request the page tried to send off this machine (all of them are aborted)."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def handle(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS or url.startswith("data:"):
            route.continue_()
        else:
            self.urls.append(url)
            route.abort("blockedbyclient")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_tab(page: Page, operation: str) -> None:
    page.locator(".graphiql-tab", has_text=operation).click(timeout=20_000)
    # GraphiQL takes the operation name from the editor a moment after a tab switch (and
    # saves it); running before that would send the previous tab's name.
    page.wait_for_function(
        """name => Object.keys(localStorage).some(key =>
            key.endsWith(":graphiql:operationName") && localStorage.getItem(key) === name)""",
        arg=operation,
    )


def _run(page: Page, *, expecting: str) -> str:
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".result-window")
    result.get_by_text(expecting).first.wait_for(timeout=20_000)
    return result.inner_text()


def _screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


@pytest.mark.parametrize(
    ("client", "operation"), [("mobile", "RestaurantMenu"), ("web", "RestaurantPage")]
)
def test_graphiql_runs_a_shared_operation_offline(
    browser: Browser, bff: ServedApp, client: str, operation: str
) -> None:
    blocked = BlockedRequests()
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 1400, "height": 860})
    context.route("**/*", blocked.handle)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    try:
        page.goto(f"{bff.url}/{client}/graphql", wait_until="load")
        _open_tab(page, operation)
        text = _run(page, expecting="Golden Dumpling")
        _screenshot(page, f"graphiql-{client}")
    except Exception:
        _screenshot(page, f"graphiql-{client}-failed")
        raise
    finally:
        context.close()

    assert '"id": "r_1"' in text
    assert blocked.urls == []
    assert problems == []


def test_graphiql_prefills_the_development_token(browser: Browser, bff: ServedApp) -> None:
    context = browser.new_context()
    context.route("**/*", BlockedRequests().handle)
    page = context.new_page()
    try:
        page.goto(f"{bff.url}/mobile/graphql")
        _open_tab(page, "MyOrders")
        text = _run(page, expecting='"status"')
    finally:
        context.close()

    assert "UNAUTHENTICATED" not in text
    assert '"id": "o_' in text
