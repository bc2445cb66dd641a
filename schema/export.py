"""The SDL of each client's schema, as exported to ``schema/<client>.graphql``."""

from __future__ import annotations

from pathlib import Path

from schema.build import build_schema

SCHEMA_DIR = Path(__file__).resolve().parent


def sdl_path(client: str) -> Path:
    return SCHEMA_DIR / f"{client}.graphql"


def export_sdl(client: str) -> str:
    return build_schema(client).as_str() + "\n"
