"""GraphQL-over-HTTP conformance: every MUST and SHOULD audit of the graphql-http suite passes
against both BFFs, served by real uvicorn (the audits run in node, from tests/conformance)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.served import ServedApp

AUDIT_DIR = Path(__file__).resolve().parents[1] / "conformance"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed: the graphql-http audit needs it"
)


@pytest.fixture(scope="module")
def audit_installed() -> None:
    if not (AUDIT_DIR / "node_modules" / "graphql-http").exists():
        # .ci/run installs it first; a developer's first run installs it here.
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=AUDIT_DIR, check=True
        )


@pytest.mark.parametrize("client", ["mobile", "web"])
def test_every_must_and_should_audit_passes(
    audit_installed: None, bff: ServedApp, client: str
) -> None:
    result = subprocess.run(
        ["node", str(AUDIT_DIR / "audit.mjs"), f"{bff.url}/{client}/graphql"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert result.returncode == 0, "\n".join(failures) or result.stdout + result.stderr
    assert "all MUST and SHOULD audits passed" in result.stdout
