#!/usr/bin/env bash
# bench/regex.sh [SECONDS]: matches per second of Sluice's linear-time regex engine (LinearRegex)
# next to Swift's Regex, on a 1 KB prompt-like input (docs/performance.md, "Regular expressions"),
# with heap allocations per match. Builds a small benchmark from ProxyCore's sources with -O into
# .build/regex-bench (not a shipped binary) and prints a Markdown table.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH"
out="$ROOT/.build/regex-bench"
mkdir -p "$out"
cc -shared -fPIC -O2 "$BENCH/regex/alloc_count.c" -o "$out/alloc_count.so" -ldl
# swiftc refuses two inputs with one file name; the benchmark's main has a name of its own.
swiftc -O -parse-as-library -package-name sluice -module-name RegexBench -enforce-exclusivity=unchecked \
  $(find "$ROOT/Sources/ProxyCore" -name '*.swift' | sort) "$BENCH/regex/RegexBenchMain.swift" -o "$out/regex-bench"
LD_PRELOAD="$out/alloc_count.so" "$out/regex-bench" "${1:-1}"
