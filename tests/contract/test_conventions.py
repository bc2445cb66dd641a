"""Conventions every service follows: health, problem+json errors, batch-get and limit rules."""

from __future__ import annotations

import httpx
import pytest

from tests.contract.support import NEAR_LISBON, assert_problem

SERVICES = ("menu", "order", "courier")

# Batch endpoints: (service, path, parameter, maximum ids).
BATCHES = [
    ("menu", "/v1/restaurants", "ids", 100),
    ("menu", "/v1/menu-items", "ids", 100),
    ("order", "/v1/orders", "ids", 50),
    ("courier", "/v1/deliveries", "order_ids", 100),
    ("courier", "/v1/couriers", "ids", 100),
]


@pytest.mark.parametrize("service", SERVICES)
def test_healthz(http: httpx.Client, downstream_urls: dict[str, str], service: str) -> None:
    response = http.get(f"{downstream_urls[service]}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("service", SERVICES)
def test_unknown_route_is_a_problem(
    http: httpx.Client, downstream_urls: dict[str, str], service: str
) -> None:
    response = http.get(f"{downstream_urls[service]}/v1/no-such-thing")
    assert_problem(response, 404)


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("menu", "/v1/restaurants/no-such-restaurant"),
        ("menu", "/v1/restaurants/no-such-restaurant/menu"),
        ("order", "/v1/orders/no-such-order"),
        ("courier", "/v1/deliveries/no-such-delivery"),
    ],
)
def test_unknown_single_resource_is_404_not_found(
    http: httpx.Client, downstream_urls: dict[str, str], service: str, path: str
) -> None:
    assert_problem(http.get(downstream_urls[service] + path), 404, "NOT_FOUND")


@pytest.mark.parametrize(("service", "path", "param", "maximum"), BATCHES)
class TestBatchGet:
    def test_unknown_ids_are_absent(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        response = http.get(downstream_urls[service] + path, params={param: "zz_1,zz_2"})
        assert response.status_code == 200
        assert response.json() == {"items": []}

    def test_maximum_ids_is_accepted(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        ids = ",".join(f"zz_{n}" for n in range(maximum))
        assert http.get(downstream_urls[service] + path, params={param: ids}).status_code == 200

    def test_more_than_maximum_is_400(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        ids = ",".join(f"zz_{n}" for n in range(maximum + 1))
        assert_problem(http.get(downstream_urls[service] + path, params={param: ids}), 400)

    def test_duplicates_count_toward_the_maximum(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        ids = ",".join(["zz_1"] * (maximum + 1))
        assert_problem(http.get(downstream_urls[service] + path, params={param: ids}), 400)
        ids = ",".join(["zz_1"] * maximum)
        assert http.get(downstream_urls[service] + path, params={param: ids}).status_code == 200

    def test_empty_ids_is_400(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        assert_problem(http.get(f"{downstream_urls[service]}{path}?{param}="), 400)

    def test_repeated_ids_parameter_is_400(
        self,
        http: httpx.Client,
        downstream_urls: dict[str, str],
        service: str,
        path: str,
        param: str,
        maximum: int,
    ) -> None:
        url = f"{downstream_urls[service]}{path}?{param}=zz_1&{param}=zz_2"
        assert_problem(http.get(url), 400)


@pytest.mark.parametrize("limit", ["0", "-1", "101", "100000000000000000000", "ten", "1.5"])
@pytest.mark.parametrize(
    ("service", "path", "filters"),
    [
        ("menu", "/v1/restaurants", {"near": NEAR_LISBON}),
        ("order", "/v1/orders", {"customer_id": "u_1"}),
    ],
)
def test_limit_outside_1_to_100_is_400(
    http: httpx.Client,
    downstream_urls: dict[str, str],
    service: str,
    path: str,
    filters: dict[str, str],
    limit: str,
) -> None:
    response = http.get(downstream_urls[service] + path, params={**filters, "limit": limit})
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("service", "path"), [("menu", "/v1/restaurants"), ("order", "/v1/orders")]
)
def test_missing_required_filter_is_400_validation_error(
    http: httpx.Client, downstream_urls: dict[str, str], service: str, path: str
) -> None:
    assert_problem(http.get(downstream_urls[service] + path), 400, "VALIDATION_ERROR")
    assert_problem(
        http.get(downstream_urls[service] + path, params={"limit": "5"}), 400, "VALIDATION_ERROR"
    )


@pytest.mark.parametrize(
    ("service", "path"), [("menu", "/v1/restaurants"), ("order", "/v1/orders")]
)
def test_garbage_cursor_is_a_4xx_problem(
    http: httpx.Client, downstream_urls: dict[str, str], service: str, path: str
) -> None:
    filters = {"near": NEAR_LISBON} if service == "menu" else {"customer_id": "u_1"}
    response = http.get(downstream_urls[service] + path, params={**filters, "cursor": "%%%!!"})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


def test_wrong_method_is_a_4xx_problem(http: httpx.Client, menu_url: str) -> None:
    response = http.delete(f"{menu_url}/v1/restaurants")
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
