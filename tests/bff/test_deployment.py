"""The deployment files: Kubernetes manifests valid against the API schemas, and the compose
file's shape (containers cannot run here; the multi-replica behaviour is covered by the tests
that run several BFF processes over one Redis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = sorted((ROOT / "deploy").glob("*.yaml"))
KUBERNETES_VERSION = "1.30.0"


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def _all_resources() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in _documents(path)]


def _resource(kind: str, name: str) -> dict[str, Any]:
    found = [r for r in _all_resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}"
    return found[0]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_every_manifest_is_valid_kubernetes(path: Path) -> None:
    for document in _documents(path):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_each_client_has_its_deployment_service_autoscaler_and_disruption_budget(
    client: str,
) -> None:
    name = f"bff-{client}"
    deployment = _resource("Deployment", name)
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert {"name": "BFF_CLIENT", "value": client} in container["env"]
    sources = {next(iter(s)) + ":" + next(iter(s.values()))["name"] for s in container["envFrom"]}
    assert sources == {"configMapRef:bff-config", "secretRef:bff-secrets"}
    assert pod["securityContext"]["runAsNonRoot"] is True

    labels = deployment["spec"]["selector"]["matchLabels"]
    assert _resource("Service", name)["spec"]["selector"] == labels
    assert _resource("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"] == labels
    autoscaler = _resource("HorizontalPodAutoscaler", name)
    assert autoscaler["spec"]["scaleTargetRef"]["name"] == name
    assert autoscaler["spec"]["minReplicas"] >= 2


def test_settings_come_from_a_config_map_and_a_secret() -> None:
    config = _resource("ConfigMap", "bff-config")["data"]
    secret = _resource("Secret", "bff-secrets")["stringData"]
    assert config["BFF_ENV"] == "production"
    assert "BFF_JWT_SECRET" in secret and "BFF_JWT_SECRET" not in config
    assert all(key.startswith("BFF_") for key in [*config, *secret])


def test_compose_runs_two_replicas_per_client_with_redis_and_the_mocks() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]

    assert {"mobile", "web", "redis", "mocks"} <= set(services)
    for client in ("mobile", "web"):
        service = services[client]
        assert service["deploy"]["replicas"] == 2
        assert service["environment"]["BFF_CLIENT"] == client
        assert service["environment"]["BFF_REDIS_URL"].startswith("redis://redis:")
        assert set(service["depends_on"]) == {"redis", "mocks"}
    assert services["mocks"]["command"][:2] == ["bff", "mocks"]


def test_the_image_runs_as_a_non_root_user_with_a_health_check() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")

    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert "\nUSER 10001\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "pip install ." in dockerfile
