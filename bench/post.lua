-- wrk script: POST a ~1 KB OpenAI chat completion body, print one JSON line at the end.
-- Environment: BENCH_MODEL (default gpt-4o-mini), BENCH_PATH (default /v1/chat/completions),
-- BENCH_METHOD=GET to send a bodiless GET instead (used for the /healthz comparison).
local model = os.getenv("BENCH_MODEL") or "gpt-4o-mini"
wrk.path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
wrk.method = os.getenv("BENCH_METHOD") or "POST"
if wrk.method == "POST" then
  local system = "You are a concise assistant for an internal engineering team. Answer in plain "
    .. "English, cite the relevant document when one is given, and say so when you do not know. "
    .. "Never include secrets, credentials or personal data in an answer."
  local user = "Summarize the following incident report in three bullet points for the weekly "
    .. "review. Incident: between 02:10 and 02:47 UTC the checkout service returned elevated 5xx "
    .. "responses because a configuration change reduced the database connection pool from 64 to 8 "
    .. "connections. The change was rolled back at 02:41 and error rates recovered by 02:47. "
    .. "Customer impact: about 3% of checkout attempts failed and were retried successfully by "
    .. "clients. Follow-ups: add a validation rule for pool sizes, alert on pool saturation, and "
    .. "document the rollback procedure in the runbook."
  wrk.body = '{"model":"' .. model .. '","messages":[{"role":"system","content":"' .. system
    .. '"},{"role":"user","content":"' .. user .. '"}],"temperature":0.2,"max_tokens":256,"user":"bench-user-42"}'
  wrk.headers["Content-Type"] = "application/json"
else
  wrk.body = nil
end
wrk.headers["Authorization"] = "Bearer sk-client-key-not-forwarded"
wrk.headers["Accept"] = "application/json"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"wrk":1,"requests":%d,"duration_us":%d,"bytes":%d,'
    .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
    .. '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
