#!/usr/bin/env bash
# make bench: Sluice against nginx, haproxy and a direct call (docs/performance.md).
#   bench/run.sh                  everything, the cache's repetitive workload last; results in
#                                 bench/results/latest.json (and latest-cache.json) and a table
#   BENCH_QUICK=1 bench/run.sh    one short repetition, for development
#   bench/run.sh --only upstream  sluice-mock vs nginx `return 200` (issue 2's figure)
#   bench/run.sh --only proxy     added CPU and latency of nginx and sluice vs a direct call (issue 3)
#   bench/run.sh --only regex     the regex engine next to Swift's Regex (bench/regex.sh; no servers)
#   bench/run.sh --only guard     the content guard per KB and before a stream's first token (bench/guard.sh; no servers)
#   bench/run.sh --only cache     a repetitive workload through the response cache (bench/cache.sh)
#   bench/run.sh --only redis-limits  a consumer's request limit in process, Redis strict and Redis sync
#                                 (bench/redis-limits.sh; also part of the full run; skipped without redis-server)
#   bench/run.sh --help           the other options (--targets, --reps, --keep)
# BENCH_SKIP_BUILD=1 uses the existing .build/release binaries (BENCH_BIN_DIR=<dir>: another build's,
# to check that a part runs; its figures mean nothing).
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
if [ "${1:-}" = "--only" ] && [ "${2:-}" = "regex" ]; then exec "$BENCH/regex.sh"; fi
if [ "${1:-}" = "--only" ] && [ "${2:-}" = "guard" ]; then exec "$BENCH/guard.sh" --callgrind; fi
if [ "${1:-}" = "--only" ] && [ "${2:-}" = "cache" ]; then shift 2; exec "$BENCH/cache.sh" "$@"; fi

# The Redis part needs a redis-server (scripts/deps.sh installs it): without one it is skipped, saying so.
redis_limits() {
  if ! PATH="$PATH:/usr/sbin:/sbin" command -v redis-server >/dev/null; then
    echo "bench: redis-limits skipped: redis-server is not installed (scripts/deps.sh installs it)" >&2
    return 0
  fi
  BENCH_SKIP_BUILD="${BENCH_SKIP_BUILD:-0}" "$BENCH/redis-limits.sh"
}
if [ "${1:-}" = "--only" ] && [ "${2:-}" = "redis-limits" ]; then redis_limits; exit; fi

# nginx, haproxy, wrk and the rest come from the project's one install step (apt, as root).
"$ROOT/scripts/deps.sh"
export PATH="$PATH:/usr/sbin:/sbin"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  log "swift build -c release --static-swift-stdlib"
  (cd "$ROOT" && swift build -c release --static-swift-stdlib 2>&1 | tail -n 3)
fi
for b in sluice sluice-mock; do
  [ -x "$ROOT/.build/release/$b" ] || { echo "bench: $ROOT/.build/release/$b is missing" >&2; exit 1; }
done

# 2,000 idle connections through a proxy hold ~4,000 descriptors in it and 2,000 here.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 8192 ] || ulimit -n 8192 2>/dev/null \
  || echo "bench: warning: ulimit -n is $(ulimit -n); the 2,000-connection figure may fail" >&2

cd "$BENCH"
python3 -m sluicebench.main "$@"
# The whole run (no --only, no --targets) ends with the parts that have their own scripts: the
# repetitive workload through the response cache (hit rate, tokens and cost saved, memory and Redis
# hit latency; bench/cache.sh), the shared limits (bench/redis-limits.sh) and the content guard's
# cost per KB and before a stream's first token (bench/guard.sh). The binaries are built by now.
case " $* " in
  *" --only "*|*" --only="*|*" --targets "*|*" --targets="*) ;;
  *)
    log "the response cache: a repetitive workload (bench/cache.sh)"
    if [ "${BENCH_QUICK:-0}" = 1 ] || [[ " $* " == *" --quick "* ]]; then
      python3 -m sluicebench.cache --requests 600 --prompts 200 --redis-hits 100
    else
      python3 -m sluicebench.cache
    fi
    log "redis limits (bench/redis-limits.sh)"
    BENCH_SKIP_BUILD=1 redis_limits
    log "the content guard (bench/guard.sh)"
    "$BENCH/guard.sh"
    ;;
esac
