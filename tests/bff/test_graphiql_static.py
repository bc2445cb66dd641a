"""The vendored GraphiQL files: as scripts/update-graphiql.sh wrote them, licensed, and free of
anything that would make a browser load from another origin."""

from __future__ import annotations

import hashlib
import re

import pytest

from bff.graphiql import SCRIPTS, STYLESHEETS
from bff.graphiql_static import VENDORED_DIR, graphiql_assets

ABSOLUTE_URL = r"""["'`(]?\s*(?:https?:)?//[^\s"'`)]+"""
# Anything in a script that makes the browser fetch something when it runs.
LOADING_IN_JS = re.compile(
    r"(?:\bsrc\s*[:=]|\bimport\s*\(|\bfetch\s*\(|\bimportScripts\s*\(|\bEventSource\s*\("
    r"|\bWebSocket\s*\(|\burl\s*\(|@import|sourceMappingURL=)\s*" + ABSOLUTE_URL
)
# Links a user may click (the explorer's credits, GraphiQL's docs); reviewed on each upgrade.
LINKS_IN_JS = re.compile(r"\bhref\s*[:=]\s*" + ABSOLUTE_URL)
KNOWN_LINKS = {
    "graphiql.min.js": {
        "https://codemirror.net/5/doc/manual.html#keymaps",
        "https://github.com/graphql/graphiql",
        "//example.com/",  # inside a markdown-it comment
    },
    "plugin-explorer.umd.js": {
        "https://www.onegraph.com",
        "https://github.com/OneGraph/graphiql-explorer",
    },
}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)")


def _text(name: str) -> str:
    return graphiql_assets()[name].content.decode("utf-8")


def test_the_page_uses_only_served_files() -> None:
    assert set(SCRIPTS) | set(STYLESHEETS) <= set(graphiql_assets())


def test_vendored_files_are_as_the_update_script_wrote_them() -> None:
    listed = {}
    for line in (VENDORED_DIR / "VERSIONS").read_text().splitlines():
        if re.fullmatch(r"[0-9a-f]{64}  \S+", line):
            digest, name = line.split("  ")
            listed[name] = digest
    on_disk = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDORED_DIR.iterdir()
        if path.suffix in (".js", ".css")
    }
    assert listed == on_disk


@pytest.mark.parametrize(
    "package", ["react", "react-dom", "graphiql", "graphiql-plugin-explorer", "graphiql-explorer"]
)
def test_every_vendored_package_has_its_licence(package: str) -> None:
    assert "MIT License" in (VENDORED_DIR / f"LICENSE.{package}").read_text()


@pytest.mark.parametrize("name", [n for n in graphiql_assets() if n.endswith(".css")])
def test_stylesheets_load_nothing_from_elsewhere(name: str) -> None:
    text = _text(name)
    assert "@import" not in text
    assert "sourceMappingURL=" not in text
    assert [url for url in CSS_URL.findall(text) if not url.startswith("data:")] == []
    assert re.findall(r"(?:https?:)?//[a-z0-9-]+\.[a-z]", text) == []


@pytest.mark.parametrize("name", [n for n in graphiql_assets() if n.endswith(".js")])
def test_scripts_load_nothing_from_elsewhere(name: str) -> None:
    text = _text(name)
    assert LOADING_IN_JS.findall(text) == []
    assert "sourceMappingURL=" not in text  # dev tools would ask for the map, even a relative one
    links = {re.sub(r"^.*?(?=(?:https?:)?//)", "", found) for found in LINKS_IN_JS.findall(text)}
    assert links <= KNOWN_LINKS.get(name, set())


@pytest.mark.parametrize(
    "loading",
    [
        'e.src="https://unpkg.com/react.js"',
        "import('//esm.sh/graphiql')",
        'fetch("https://api.example/graphql")',
        "url(https://fonts.gstatic.com/x.woff2)",
        "//# sourceMappingURL=https://cdn.example/x.map",
    ],
)
def test_the_script_check_sees_loading(loading: str) -> None:
    assert LOADING_IN_JS.findall(loading)
