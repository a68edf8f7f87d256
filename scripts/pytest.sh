#!/usr/bin/env bash
# Runs the integration tests' pytest from the pinned virtualenv, against the debug build:
# scripts/pytest.sh Tests/integration/test_proxy.py -k stream
source "$(dirname "$0")/common.sh"
cd "$ROOT"
[ -x "$VENV/bin/pytest" ] || scripts/deps.sh
export SLUICE_BIN_DIR="${SLUICE_BIN_DIR:-$ROOT/.build/debug}"
exec "$VENV/bin/pytest" -q -p no:cacheprovider "$@"
