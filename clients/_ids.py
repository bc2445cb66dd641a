"""Validation of ids before they are put into a downstream URL."""

from __future__ import annotations

import re
from functools import lru_cache

from clients._exceptions import InvalidIdError

MAX_ID_LENGTH = 64
# Comma splits batch lists; whitespace, '/', '?', '#', '%' and control characters would
# change the meaning of a path or query string.
_FORBIDDEN = re.compile(r"[,\s/?#%\x00-\x1f\x7f]")


def is_valid_id(value: str) -> bool:
    return 0 < len(value) <= MAX_ID_LENGTH and _is_clean(value)


# Every id of a request is checked several times (loader, batch, URL) and the same ids come
# back request after request: remembered, a check is a dict lookup. Only ids of a valid
# length get here, and the memory is bounded, so made-up ids cannot grow it much.
@lru_cache(maxsize=100_000)
def _is_clean(value: str) -> bool:
    return _FORBIDDEN.search(value) is None


def check_id(value: str) -> str:
    """Return ``value`` unchanged, or raise :class:`InvalidIdError`."""
    if not is_valid_id(value):
        raise InvalidIdError(value)
    return value
