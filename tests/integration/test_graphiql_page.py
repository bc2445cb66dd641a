"""Each BFF's GraphiQL page over HTTP: self-contained (nothing from another origin), preloaded
with the client's operations and the development header, and off in production."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from bff.app import create_app
from bff.auth import TokenVerifier
from bff.settings import DEV_JWT_SECRET, Settings
from mocks.runner import MockServers
from schema.operations import client_operations
from tests.support.served import ServedApp

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
ANY_ABSOLUTE_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
PRODUCTION_SECRET = "p" * 48


class PageReferences(HTMLParser):
    """Every URL the page makes the browser load, and its embedded configuration."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str | None]] = []
        self._in_config = False
        self.config_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name):
                self.urls.append((str(found[name]), found.get("integrity")))
        self._in_config = tag == "script" and found.get("id") == "graphiql-config"

    def handle_endtag(self, tag: str) -> None:
        self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config_text += data


def _page(base_url: str, client: str) -> httpx.Response:
    return httpx.get(f"{base_url}/{client}/graphql", headers=BROWSER, timeout=10)


def _references(response: httpx.Response) -> PageReferences:
    parser = PageReferences()
    parser.feed(response.text)
    return parser


def _config(response: httpx.Response) -> dict[str, Any]:
    config: dict[str, Any] = json.loads(_references(response).config_text)
    return config


@pytest.fixture(scope="module")
def production_bffs(mocks: MockServers) -> Iterator[dict[bool | None, ServedApp]]:
    """Production BFFs with GraphiQL by default (off) and explicitly enabled."""

    def production(graphiql: bool | None) -> ServedApp:
        settings = Settings(
            _env_file=None,
            env="production",
            jwt_secret=PRODUCTION_SECRET,
            graphiql=graphiql,
            menu_url=mocks.urls["menu"],
            order_url=mocks.urls["order"],
            courier_url=mocks.urls["courier"],
        )
        return ServedApp(create_app(settings)).start()

    apps = {graphiql: production(graphiql) for graphiql in (None, True)}
    yield apps
    for app in apps.values():
        app.stop()


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_the_page_refers_to_nothing_outside_its_origin(bff: ServedApp, client: str) -> None:
    response = _page(bff.url, client)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert ANY_ABSOLUTE_URL.findall(response.text) == []
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    urls = [url for url, _ in _references(response).urls if not url.startswith("data:")]
    assert len(urls) == 8
    assert all(url.startswith("/graphiql/assets/") for url in urls)


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_every_file_of_the_page_is_served_here_and_cached_for_long(
    bff: ServedApp, client: str
) -> None:
    for url, integrity in _references(_page(bff.url, client)).urls:
        if url.startswith("data:"):
            continue
        response = httpx.get(bff.url + url, timeout=10)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(("text/javascript", "text/css"))
        assert "immutable" in response.headers["cache-control"]
        assert integrity is not None and integrity.startswith("sha384-")
        again = httpx.get(
            bff.url + url, headers={"if-none-match": response.headers["etag"]}, timeout=10
        )
        assert again.status_code == 304


def test_an_unknown_asset_is_404(bff: ServedApp) -> None:
    assert httpx.get(f"{bff.url}/graphiql/assets/nope.js", timeout=10).status_code == 404
    assert httpx.get(f"{bff.url}/graphiql/assets/..%2Fgraphiql.py").status_code == 404


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_the_page_opens_with_the_clients_operations(bff: ServedApp, client: str) -> None:
    config = _config(_page(bff.url, client))

    tabs = config["tabs"]
    assert {tab["query"] for tab in tabs} == {op.document for op in client_operations(client)}
    restaurant = "RestaurantMenu" if client == "mobile" else "RestaurantPage"
    tab = next(tab for tab in tabs if tab["query"].startswith(f"query {restaurant}("))
    assert json.loads(tab["variables"]) == {"id": "r_1"}
    assert config["storageNamespace"].startswith(f"bff:{client}:")


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_development_fills_in_the_development_users_header(bff: ServedApp, client: str) -> None:
    config = _config(_page(bff.url, client))

    headers = json.loads(config["headers"])
    verifier = TokenVerifier(DEV_JWT_SECRET, ["HS256"])
    assert verifier.identify(headers["Authorization"]).user_id == "u_1"
    assert {tab["headers"] for tab in config["tabs"]} == {config["headers"]}


def test_production_has_no_graphiql_by_default(
    production_bffs: dict[bool | None, ServedApp],
) -> None:
    served = production_bffs[None]
    response = _page(served.url, "mobile")

    assert response.status_code == 404
    assert "GraphiQL" not in response.text
    assert httpx.get(f"{served.url}/graphiql/assets/graphiql.min.js").status_code == 404
    # The web BFF: in production the mobile one runs only the app's trusted documents.
    api = httpx.post(f"{served.url}/web/graphql", json={"query": "{ __typename }"})
    assert api.json() == {"data": {"__typename": "Query"}}


def test_production_can_enable_graphiql_without_a_token(
    production_bffs: dict[bool | None, ServedApp],
) -> None:
    response = _page(production_bffs[True].url, "web")

    assert response.status_code == 200
    config = _config(response)
    assert config["headers"] == ""
    assert "Bearer" not in response.text
