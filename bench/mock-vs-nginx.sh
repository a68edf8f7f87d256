#!/usr/bin/env bash
# Issue 2's figure: sluice-mock's throughput on a small JSON response versus nginx `return 200`
# of the same bytes, each alone on one core, wrk on the other. Results: bench/results/latest-upstream.json.
exec "$(dirname "$0")/run.sh" --only upstream "$@"
