#!/usr/bin/env bash
# bench/semantic.sh: time per lookup of the semantic cache tier's exact search (one scope of
# 1k and 10k vectors of 1,536 dimensions, 100k of 384) — where exact search stops being fine
# (docs/adr, "semantic cache tier"). Builds a small benchmark from ProxyCore's sources with -O
# into .build/semantic-bench (not a shipped binary) and prints a Markdown table.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
export PATH="/opt/swift/usr/bin:$PATH"
out="$ROOT/.build/semantic-bench"
mkdir -p "$out"
swiftc -O -parse-as-library -package-name sluice -module-name SemanticBench -enforce-exclusivity=unchecked \
  $(find "$ROOT/Sources/ProxyCore" -name '*.swift' | sort) "$BENCH/semantic/SemanticBenchMain.swift" -o "$out/semantic-bench"
"$out/semantic-bench"
