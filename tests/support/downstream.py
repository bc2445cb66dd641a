"""Reading and steering the mock services through their admin API."""

from __future__ import annotations

from typing import Any

import httpx


class MockAdmin:
    """The admin API of the three mocks: call counts, faults and resets."""

    def __init__(self, urls: dict[str, str]) -> None:
        self.urls = urls
        self.http = httpx.Client(timeout=10)

    def reset(self) -> None:
        for url in self.urls.values():
            self.http.post(f"{url}/__admin/reset").raise_for_status()

    def calls(self) -> dict[str, int]:
        """Calls per ``"<service> <METHOD> <route>"`` since the last reset (events excluded)."""
        counts: dict[str, int] = {}
        for service, url in self.urls.items():
            stats = self.http.get(f"{url}/__admin/stats").raise_for_status().json()
            for endpoint, entry in stats["endpoints"].items():
                if not endpoint.endswith("/v1/events"):
                    counts[f"{service} {endpoint}"] = entry["calls"]
        return counts

    def total_calls(self) -> int:
        return sum(self.calls().values())

    def fault(self, service: str, **config: Any) -> None:
        self.http.put(f"{self.urls[service]}/__admin/faults", json=config).raise_for_status()

    def get(self, service: str, path: str, **params: str) -> Any:
        response = self.http.get(f"{self.urls[service]}{path}", params=params)
        response.raise_for_status()
        return response.json()
