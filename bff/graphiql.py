"""A client's GraphiQL page: self-contained (every file from this origin), preloaded with the
client's operations and, in development, the development user's ``Authorization`` header."""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict, dataclass

from fastapi.responses import HTMLResponse

from bff.auth import issue_token
from bff.graphiql_static import StaticAsset, graphiql_assets
from bff.graphiql_tabs import client_tabs
from bff.settings import Settings
from schema.operations import client_operations

SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
    "graphiql-boot.js",
)
STYLESHEETS = ("graphiql.min.css", "plugin-explorer.css", "graphiql-page.css")

# The browser enforces what the page promises: nothing is loaded from or sent to another
# origin. GraphiQL sets inline styles, hence 'unsafe-inline' for styles (never for scripts).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <link rel="icon" href="data:,">
{stylesheets}
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script type="application/json" id="graphiql-config">{config}</script>
{scripts}
  </body>
</html>
"""


@dataclass(frozen=True, slots=True)
class GraphiQLPage:
    """Rendered per request, so that the development token in it is always fresh."""

    client: str
    settings: Settings

    def response(self) -> HTMLResponse:
        return HTMLResponse(
            self.render(),
            headers={
                "content-security-policy": CONTENT_SECURITY_POLICY,
                "cache-control": "no-store",
                "x-content-type-options": "nosniff",
            },
        )

    def render(self) -> str:
        assets = graphiql_assets()
        return PAGE.format(
            title=html.escape(f"{self.client} BFF · GraphiQL"),
            stylesheets="\n".join(_stylesheet(assets[name]) for name in STYLESHEETS),
            scripts="\n".join(_script(assets[name]) for name in SCRIPTS),
            config=_json_in_script(self.config()),
        )

    def config(self) -> dict[str, object]:
        """What graphiql-boot.js reads: tabs, default headers and where to keep its state."""
        headers = self.development_headers()
        return {
            "client": self.client,
            "tabs": [asdict(tab) for tab in client_tabs(self.client, headers)],
            "headers": json.dumps(headers, indent=2) if headers else "",
            "storageNamespace": f"bff:{self.client}:{_operations_digest(self.client)}",
        }

    def development_headers(self) -> dict[str, str]:
        if self.settings.is_production:
            return {}
        token = issue_token(self.settings.jwt_secret, self.settings.dev_user)
        return {"Authorization": f"Bearer {token}"}


def graphiql_page(client: str, settings: Settings) -> GraphiQLPage | None:
    """The client's page, or None where GraphiQL is off (production, unless enabled)."""
    return GraphiQLPage(client, settings) if settings.graphiql_enabled else None


def _operations_digest(client: str) -> str:
    # Saved tabs are keyed by the operations they were made from: when the apps' operations
    # change, GraphiQL opens with the new ones instead of stale saved copies.
    documents = "\0".join(op.document for op in client_operations(client))
    return hashlib.sha256(documents.encode("utf-8")).hexdigest()[:12]


def _json_in_script(value: object) -> str:
    # "<" escaped so that no string in the data can close the <script> element.
    return json.dumps(value).replace("<", "\\u003c")


def _script(asset: StaticAsset) -> str:
    return f'    <script src="{asset.url}" integrity="{asset.integrity}"></script>'


def _stylesheet(asset: StaticAsset) -> str:
    return f'    <link rel="stylesheet" href="{asset.url}" integrity="{asset.integrity}">'
