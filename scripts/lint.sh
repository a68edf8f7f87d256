#!/usr/bin/env bash
# Grep lint for what must not appear. A line may opt out with
# a trailing `// lint: allow-<rule> (why)` comment, which reviewers can see.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
fail=0
check() {  # rule, pattern, paths...
  local rule="$1" pattern="$2"; shift 2
  local hits
  hits="$(grep -rnE "$pattern" "$@" --include='*.swift' 2>/dev/null | grep -v "lint: allow-$rule" || true)"
  if [ -n "$hits" ]; then
    echo "lint [$rule]:" >&2
    echo "$hits" >&2
    fail=1
  fi
}
proxy_targets=$(ls -d Sources/Proxy* 2>/dev/null)
# The data plane never imports Foundation (FoundationEssentials only in ConfigSource, KubeAPI, GatewayController and sluice-mock).
check foundation '^\s*import\s+(Foundation|FoundationNetworking)\b' $proxy_targets
check foundation '^\s*import\s+FoundationNetworking\b' Sources
# Time comes from ProxyClock: only MonotonicClock reads the system clock.
check clock '(clock_gettime|gettimeofday|sluice_monotonic_ns|sluice_realtime_ns|ContinuousClock|SuspendingClock|\bDate\(\))' \
  $(find Sources -name '*.swift' ! -name 'MonotonicClock.swift')
# Tests poll with a deadline; they never sleep a fixed time to wait for something.
check sleep '(\busleep\(|\bsleep\(|Thread\.sleep|Task\.sleep|nanosleep)' Tests
grep -rnE '\btime\.sleep\(' Tests/integration --include='*.py' | grep -v 'lint: allow-sleep' && { echo "lint [sleep]: time.sleep in integration tests" >&2; fail=1; }
# Regexes run on ProxyCore's linear-time engine (ADR 0012): Swift's Regex backtracks (ReDoS).
check regex '(\bRegex *[<(]|#/|\bRegexBuilder\b)' Sources
# No locks on the request path: the data plane reads snapshots.
check lock '\b(Mutex|NSLock|pthread_mutex_lock)\b' Sources/ProxyHTTPServer Sources/ProxyDataPlane Sources/ProxyUpstream
# Nor name lookups or locks per request: metric series come from the request's LoopSnapshot, and
# every lock left in the data path is a real shared state change, marked where it is taken.
# Set-up, reload, scrape and admin files are the control path and are left out by name.
request_path=$(find Sources/ProxyDataPlane Sources/ProxyHTTPServer Sources/ProxyUpstream -name '*.swift' \
  ! -name DataPlane.swift ! -name DataPlaneMetrics.swift ! -name ProxySnapshot.swift ! -name AdminEndpoints.swift \
  ! -name HealthEndpoints.swift ! -name HTTPServer.swift ! -name HTTPServerHost.swift)
check series 'series\(labelValues:' $request_path
check lock '\.withLock\b' $request_path
# No package dependencies: only the toolchain, libcurl and OpenSSL.
grep -qE '\.package\(' Package.swift && { echo "lint [deps]: Package.swift declares a package dependency" >&2; fail=1; }
[ $fail = 0 ] && echo "lint: ok"
exit $fail
