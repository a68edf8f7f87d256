#!/usr/bin/env bash
# Instructions per request under valgrind's callgrind: sluice-mock and nginx on GET /healthz,
# and Sluice proxying the benchmark's chat completion. Deterministic where `make bench`'s timings
# are not, so two builds can be compared on a busy machine (docs/performance.md).
#   bench/instructions.sh [mock] [nginx] [sluice] [sluice-consumer] [cache] [translated] [--seconds N]   (runs of N and 3N seconds)
# BENCH_SKIP_BUILD=1 uses the existing .build/release binaries. Results: bench/results/latest-instructions.json.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH:/usr/sbin:/sbin"
"$ROOT/scripts/deps.sh" valgrind
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && swift build -c release --static-swift-stdlib 2>&1 | tail -n 3)
fi
cd "$BENCH"
exec python3 -m sluicebench.instructions "$@"
