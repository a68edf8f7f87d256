#!/usr/bin/env bash
# CPU profile of the proxied path (perf record -g on sluice under wrk -c32, pinned like make bench).
# Writes bench/results/profile-sluice.txt. Options: --seconds N, --target sluice|nginx, --call-graph dwarf,16384|fp.
# BENCH_SKIP_BUILD=1 uses the existing .build/release binaries.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="/opt/swift/usr/bin:$PATH:/usr/sbin:/sbin"
if ! command -v perf >/dev/null; then
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null
  else echo "profile: perf is missing (apt-get install linux-perf)" >&2; exit 1; fi
fi
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$BENCH/.." && swift build -c release --static-swift-stdlib 2>&1 | tail -n 1)
fi
cd "$BENCH"
exec python3 -m sluicebench.profile "$@"
