"""The three service clients together, built once per process and closed at shutdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from clients._http_cache import HttpCache
from clients._transport import ServiceTransport, TransportConfig
from clients.courier import CourierClient
from clients.menu import MenuClient
from clients.order import OrderClient

SERVICES = ("menu", "order", "courier")


@dataclass(frozen=True, slots=True)
class Downstream:
    menu: MenuClient
    order: OrderClient
    courier: CourierClient

    @classmethod
    def build(
        cls,
        configs: Mapping[str, TransportConfig],
        *,
        http_transport: httpx.AsyncBaseTransport | None = None,
        caches: Mapping[str, HttpCache] | None = None,
    ) -> Downstream:
        def transport(service: str) -> ServiceTransport:
            cache = caches.get(service) if caches else None
            return ServiceTransport(
                service, configs[service], http_transport=http_transport, cache=cache
            )

        return cls(
            menu=MenuClient(transport("menu")),
            order=OrderClient(transport("order")),
            courier=CourierClient(transport("courier")),
        )

    def transport(self, service: str) -> ServiceTransport:
        client: MenuClient | OrderClient | CourierClient = getattr(self, service)
        return client.transport

    async def aclose(self) -> None:
        for client in (self.menu, self.order, self.courier):
            await client.transport.aclose()
