#!/usr/bin/env bash
# Issue 3's figures: CPU per proxied request and added latency (p50/p99 at -c1 and -c8) of
# sluice and nginx versus a direct call to sluice-mock. Results: bench/results/latest-proxy.json.
exec "$(dirname "$0")/run.sh" --only proxy "$@"
