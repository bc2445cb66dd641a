"""The GraphiQL page's static files (vendored bundles and its own script), served same-origin."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

ASSETS_PATH = "/graphiql/assets"
# Vendored from npm by scripts/update-graphiql.sh; never edited by hand.
VENDORED_DIR = Path(__file__).resolve().parent / "graphiql_assets"
# The project's own part of the page: the script that starts GraphiQL and its styles.
PAGE_DIR = Path(__file__).resolve().parent / "graphiql_page"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# URLs carry the content digest, so a new version is a new URL and browsers may keep a file
# for as long as they like.
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class StaticAsset:
    name: str
    content: bytes
    media_type: str
    digest: str
    integrity: str

    @property
    def url(self) -> str:
        return f"{ASSETS_PATH}/{self.name}?v={self.digest}"

    @classmethod
    def read(cls, path: Path) -> StaticAsset:
        content = path.read_bytes()
        sha384 = base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")
        return cls(
            name=path.name,
            content=content,
            media_type=MEDIA_TYPES[path.suffix],
            digest=hashlib.sha256(content).hexdigest()[:16],
            integrity=f"sha384-{sha384}",
        )


@cache
def graphiql_assets() -> dict[str, StaticAsset]:
    """Every servable file by name, read once (about 4 MB, mostly GraphiQL itself)."""
    paths = [
        path
        for folder in (VENDORED_DIR, PAGE_DIR)
        for path in sorted(folder.iterdir())
        if path.suffix in MEDIA_TYPES
    ]
    return {path.name: StaticAsset.read(path) for path in paths}


def graphiql_assets_router() -> APIRouter:
    router = APIRouter()

    @router.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def graphiql_asset(name: str, request: Request) -> Response:
        asset = graphiql_assets().get(name)
        if asset is None:
            return PlainTextResponse("Not Found", status_code=404)
        etag = f'"{asset.digest}"'
        headers = {"cache-control": IMMUTABLE, "etag": etag, "x-content-type-options": "nosniff"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.content, media_type=asset.media_type, headers=headers)

    return router
