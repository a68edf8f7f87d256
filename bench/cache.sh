#!/usr/bin/env bash
# A repetitive workload through the response cache: hit rate, tokens and cost saved, latency of
# hits and misses (docs/performance.md, "A memory cache hit").
#   bench/cache.sh [--requests N] [--prompts N] [--repeat 0.7] [--miss-latency 20ms]
# BENCH_SKIP_BUILD=1 uses the existing .build/release binaries. Results: bench/results/latest-cache.json.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && swift build -c release --static-swift-stdlib 2>&1 | tail -n 3)
fi
cd "$BENCH"
exec python3 -m sluicebench.cache "$@"
