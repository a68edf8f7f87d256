#!/usr/bin/env bash
# Builds each libFuzzer target in Tests/Fuzz/ with the sources its first line names
# (`// fuzz-sources: DIR…`) and runs it for FUZZ_SECONDS on a copy of its seed corpus.
# A crash fails the run and leaves the input in .fuzz/<target>/.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
seconds="${FUZZ_SECONDS:-60}"
only="${1:-}"
mkdir -p .fuzz
status=0
for harness in Tests/Fuzz/*.swift; do
  name="$(basename "$harness" .swift)"
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  dirs="$(head -1 "$harness" | sed -n 's|^// fuzz-sources: ||p')"
  [ -n "$dirs" ] || { echo "$harness: first line must be '// fuzz-sources: DIR…'" >&2; exit 1; }
  work=".fuzz/$name"
  rm -rf "$work" && mkdir -p "$work/corpus"
  # swiftc rejects two inputs with one file name, and harnesses are named after what they fuzz.
  cp "$harness" "$work/FuzzMain_$name.swift"
  # shellcheck disable=SC2086
  log "fuzz $name: build"
  swiftc -O -sanitize=fuzzer -parse-as-library -package-name sluice -module-name "Fuzz$name" \
    $(find $dirs -name '*.swift' | sort) "$work/FuzzMain_$name.swift" -o "$work/fuzzer" 2>&1 | grep -v warning || true
  [ -x "$work/fuzzer" ] || { echo "fuzz $name: build failed" >&2; exit 1; }
  [ -d "Tests/Fuzz/corpus/$name" ] && cp -r "Tests/Fuzz/corpus/$name/." "$work/corpus/"
  log "fuzz $name: ${seconds}s"
  if ! (cd "$work" && ./fuzzer -max_total_time="$seconds" -print_final_stats=0 corpus >fuzz.log 2>&1); then
    echo "fuzz $name: FAILED, see $work/fuzz.log and the crash-* input there" >&2
    tail -30 "$work/fuzz.log" >&2
    status=1
  else
    grep -E '^Done|#[0-9]+.*DONE' "$work/fuzz.log" | tail -1 || true
  fi
done
exit $status
