"""The per-request context every resolver sees: who is asking, in which locale, and the loaders."""

from __future__ import annotations

from babel import Locale
from strawberry.fastapi import BaseContext

from clients import CallContext
from schema.loaders import Loaders


class RequestContext(BaseContext):
    """Made fresh for each request (loaders must never outlive it)."""

    def __init__(
        self,
        *,
        call: CallContext,
        loaders: Loaders,
        locale: Locale,
        user_id: str | None,
        auth_error: str | None = None,
    ) -> None:
        super().__init__()
        self.call = call
        self.loaders = loaders
        self.locale = locale
        self.user_id = user_id
        # Why a token was refused (expired, bad signature, …), for logs; never sent to apps.
        self.auth_error = auth_error
