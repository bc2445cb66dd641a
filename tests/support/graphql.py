"""A small GraphQL-over-HTTP client for tests, speaking the apps' operations by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bff.auth import issue_token
from bff.settings import DEV_JWT_SECRET
from schema.operations import client_operations


def token_for(user_id: str, secret: str = DEV_JWT_SECRET) -> str:
    return issue_token(secret, user_id)


def operation_document(client: str, name: str) -> str:
    for operation in client_operations(client):
        if operation.name == name:
            return operation.document
    raise KeyError(f"{client}/{name}")


@dataclass
class GraphQLResult:
    status: int
    body: dict[str, Any]

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code") for e in self.errors]

    def errors_at(self, *path: str | int) -> list[dict[str, Any]]:
        return [e for e in self.errors if tuple(e.get("path") or ()) == path]


class GraphQLClient:
    def __init__(self, base_url: str, client: str) -> None:
        self.client = client
        self.http = httpx.Client(base_url=base_url, timeout=30)

    def query(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        user: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> GraphQLResult:
        sent = dict(headers or {})
        if user is not None:
            sent["Authorization"] = f"Bearer {token_for(user)}"
        response = self.http.post(
            f"/{self.client}/graphql",
            json={"query": document, "variables": variables or {}},
            headers=sent,
        )
        return GraphQLResult(response.status_code, response.json())

    def operation(
        self, name: str, variables: dict[str, Any] | None = None, **kwargs: Any
    ) -> GraphQLResult:
        return self.query(operation_document(self.client, name), variables, **kwargs)
