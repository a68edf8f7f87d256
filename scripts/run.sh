#!/usr/bin/env bash
# `make run`: builds release and starts the sidecar on examples/default, in front of
# sluice-mock playing the providers; or, when DEEPSEEK_API_KEY, OPENAI_API_KEY or
# DASHSCOPE_API_KEY are set, in front of those real providers. Ctrl-C stops everything.
source "$(dirname "$0")/common.sh"
cd "$ROOT"
log "building release"
swift build -c release --static-swift-stdlib --product sluice >/dev/null
swift build -c release --static-swift-stdlib --product sluice-mock >/dev/null
BIN="$ROOT/.build/release"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${work:-}" ] && rm -rf "$work"
}
trap cleanup EXIT INT TERM

config_dir="$ROOT/examples/default/config"
secrets_dir="$ROOT/examples/default/secrets"
if [ -n "${DEEPSEEK_API_KEY:-}${OPENAI_API_KEY:-}${DASHSCOPE_API_KEY:-}" ]; then
  work="$(mktemp -d)"
  config_dir="$work/config"; secrets_dir="$work/secrets"
  mkdir -p "$config_dir" "$secrets_dir"
  python3 "$ROOT/scripts/real-providers-config.py" "$config_dir/config.json" "$secrets_dir"
  log "real providers: $(python3 -c "import json;print(', '.join(b['name'] for b in json.load(open('$config_dir/config.json'))['backends']))")"
else
  log "no provider keys set: starting sluice-mock on 127.0.0.1:8081 as the providers"
  "$BIN/sluice-mock" --listen 127.0.0.1:8081 2> >(grep -v '"listening"' >&2) &
  pids+=($!)
fi

"$BIN/sluice" --config-dir "$config_dir" --secrets-dir "$secrets_dir" &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:4090/readyz >/dev/null 2>&1 && break
  sleep 0.05
done
cat >&2 <<MSG

  Sluice is running. OpenAI base URL:  http://127.0.0.1:4000/v1
  Try:
    curl -s http://127.0.0.1:4000/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
  Admin: http://127.0.0.1:4001/config   Metrics: http://127.0.0.1:4090/metrics
  Ctrl-C stops everything.

MSG
wait "${pids[-1]}"
