#!/usr/bin/env bash
# `make test`: lint, build, unit tests, binary checks, integration tests against the
# real binaries, and a short run of every fuzz target. Fails on the first failure.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
mode="${1:-all}"

unit() {
  log "swift build --build-tests"
  swift build --build-tests
  log "swift test"
  swift test --skip-build --parallel
}

binary_checks() {
  log "binary checks"
  # The data plane must not link Foundation.
  for bin in sluice sluice-mock; do
    [ -x ".build/debug/$bin" ] || continue
    if ldd ".build/debug/$bin" | grep -E 'libFoundation(Networking)?\.so' >/dev/null; then
      echo "FAIL: $bin links Foundation" >&2; exit 1
    fi
  done
}

integration() {
  { [ -x "$VENV/bin/pytest" ] && [ -x "$VENV312/bin/python" ]; } || scripts/deps.sh
  log "integration tests"
  SLUICE_BIN_DIR="$ROOT/.build/debug" "$VENV/bin/pytest" -q -p no:cacheprovider Tests/integration
}

case "$mode" in
  unit) unit ;;
  integration) integration ;;
  all)
    scripts/lint.sh
    unit
    binary_checks
    integration
    log "fuzz (short run)"
    FUZZ_SECONDS="${FUZZ_SECONDS:-10}" scripts/fuzz.sh
    ;;
  *) echo "usage: test.sh [all|unit|integration]" >&2; exit 2 ;;
esac
