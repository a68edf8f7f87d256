#!/usr/bin/env bash
# Builds each libFuzzer target in Tests/Fuzz/ with the sources its first line names
# (`// fuzz-sources: DIR…`) and runs it for FUZZ_SECONDS on a copy of its seed corpus.
# A crash fails the run and leaves the input in .fuzz/<target>/.
#
# Long runs (`make fuzz`, FUZZ_SECONDS >= 60) build with -O; the short run in `make test`
# builds with -Onone, which compiles several times faster and still has full coverage
# instrumentation. Builds run two at a time.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
seconds="${FUZZ_SECONDS:-60}"
only="${1:-}"
optimize="${FUZZ_OPT:-$([ "$seconds" -ge 60 ] && echo -O || echo -Onone)}"
mkdir -p .fuzz

targets=()
for harness in Tests/Fuzz/*.swift; do
  name="$(basename "$harness" .swift)"
  [ -n "$only" ] && [ "$only" != "$name" ] && continue
  head -1 "$harness" | grep -q '^// fuzz-sources: ' || { echo "$harness: first line must be '// fuzz-sources: DIR…'" >&2; exit 1; }
  targets+=("$name")
done

build() {
  local name="$1" harness="Tests/Fuzz/$1.swift" work=".fuzz/$1"
  local dirs
  dirs="$(head -1 "$harness" | sed -n 's|^// fuzz-sources: ||p')"
  rm -rf "$work" && mkdir -p "$work/corpus"
  # swiftc rejects two inputs with one file name, and harnesses are named after what they fuzz.
  cp "$harness" "$work/FuzzMain_$name.swift"
  # shellcheck disable=SC2086
  if ! swiftc "$optimize" -sanitize=fuzzer -parse-as-library -package-name sluice -module-name "Fuzz$name" \
      $(find $dirs -name '*.swift' | sort) "$work/FuzzMain_$name.swift" -o "$work/fuzzer" >"$work/build.log" 2>&1; then
    echo "fuzz $name: build failed" >&2
    grep -E 'error' "$work/build.log" | head -20 >&2
    return 1
  fi
}
export -f build
export optimize PATH
log "fuzz: building ${#targets[@]} targets ($optimize)"
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'build "$@"' _ {} || exit 1

status=0
for name in "${targets[@]}"; do
  work=".fuzz/$name"
  [ -d "Tests/Fuzz/corpus/$name" ] && cp -r "Tests/Fuzz/corpus/$name/." "$work/corpus/"
  # Swift's backtracer would catch a crash before libFuzzer writes the crashing input.
  if ! (cd "$work" && SWIFT_BACKTRACE=enable=no ./fuzzer -max_total_time="$seconds" -print_final_stats=0 corpus >fuzz.log 2>&1); then
    echo "fuzz $name: FAILED, see $work/fuzz.log and the crash-* input there" >&2
    tail -30 "$work/fuzz.log" >&2
    status=1
  else
    echo "fuzz $name: $(grep -E '^Done' "$work/fuzz.log" | tail -1)"
  fi
done
exit $status
