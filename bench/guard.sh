#!/usr/bin/env bash
# The content guard's cost per KB of text (docs/guard.md): 1,000 keywords and every built-in
# detector over a 16 KB prompt, scanned whole and streamed in 16-byte deltas.
#   bench/guard.sh              time per KB (median of 3 runs of 200 iterations)
#   bench/guard.sh --callgrind  also instructions per KB under callgrind (runs of 1 and 3
#                               iterations, subtracted so set-up does not count)
# Builds bench/guard/GuardBench.swift with ProxyCore's sources at -O, whole-module like `swift build -c
# release`, into .build/guard-bench/.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH"
out="$ROOT/.build/guard-bench"
mkdir -p "$out"
# swiftc takes the bench's main under a name no ProxyCore file has.
cp "$BENCH/guard/GuardBench.swift" "$out/GuardBenchMain.swift"
swiftc -O -wmo -parse-as-library -package-name sluice -module-name GuardBench \
  $(find "$ROOT/Sources/ProxyCore" -name '*.swift' | sort) "$out/GuardBenchMain.swift" -o "$out/guard-bench"
for _ in 1 2 3; do "$out/guard-bench" 200; done
if [ "${1:-}" = --callgrind ]; then
  instructions() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/guard-bench" "$1" 2>&1 \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  one="$(instructions 1)"; three="$(instructions 3)"
  # Each iteration scans the text twice (whole, then streamed): 2 × 16 KB.
  echo "{\"instructionsPerKB\":$(( (three - one) / 2 / 32 ))}"
fi
