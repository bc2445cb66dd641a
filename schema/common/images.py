"""Image URLs sized for the client."""

from __future__ import annotations

THUMBNAIL_WIDTH = 256


def thumbnail_url(url: str | None) -> str | None:
    """The URL with ``w=256`` added to its query, keeping any query it already has."""
    if url is None:
        return None
    base, hash_mark, fragment = url.partition("#")
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}w={THUMBNAIL_WIDTH}{hash_mark}{fragment}"
