#!/usr/bin/env bash
# Quick start: installs into .venv if needed, then runs the mocks and both BFFs (`bff dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/bff dev "$@"
