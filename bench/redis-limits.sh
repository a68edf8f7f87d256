#!/usr/bin/env bash
# Issue 16's Redis figure: added latency (p50/p99 at -c1, and -c8) and CPU per request of a
# consumer's request limit counted in process, in Redis strict mode and in Redis sync mode,
# against the same sidecar without consumers, on loopback. Results: bench/results/latest-redis.json.
# BENCH_QUICK=1 for one short run; BENCH_SKIP_BUILD=1 uses the existing .build/release binaries.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH:/usr/sbin:/sbin"
"$ROOT/scripts/deps.sh"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && swift build -c release --static-swift-stdlib 2>&1 | tail -n 3)
fi
cd "$BENCH"
exec python3 -m sluicebench.redis_limits "$@"
