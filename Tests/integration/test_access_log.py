"""The access log (issue 6): one JSON line per request on stdout, with what operators need and
never a prompt or a key; sampling keeps every failure."""
import json

from conftest import chat_body, poll_until, post, request
from sidecar import mock_backend, start_sidecar

ROUTES = [{"name": "chat", "match": {"model": {"prefix": "gpt-"}}, "split": [{"backend": "mock", "weight": 1}]}]
SECRET = "sk-very-secret-provider-key"


def log_lines(sidecar):
    return [json.loads(line) for line in sidecar.stdout_lines if line.startswith("{")]


def test_each_request_writes_one_line_with_route_tokens_and_trace_and_no_secrets(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock)], ROUTES, secrets={"mock-key": SECRET})
    app = sidecar.addresses["app"]
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    request(app, post("/v1/chat/completions", chat_body("gpt-4o-mini"), headers=[("traceparent", traceparent)]))
    request(app, post("/v1/chat/completions", chat_body("gpt-4o", stream=True)))
    request(app, post("/v1/chat/completions", chat_body("claude")))
    lines = poll_until(lambda: len(log_lines(sidecar)) == 3 and log_lines(sidecar), message="three log lines")
    # Two loops write their lines independently: match them by content, not order.
    first = next(line for line in lines if line.get("model") == "gpt-4o-mini")
    streamed = next(line for line in lines if line.get("stream"))
    unrouted = next(line for line in lines if line["status"] == 404)
    assert first["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert first["route"] == "chat" and first["backend"] == "mock" and first["status"] == 200
    assert first["prompt_tokens"] > 0 and first["completion_tokens"] == 16
    assert streamed["stream"] is True and streamed["completion_tokens"] == 16 and "ttft_ms" in streamed
    assert unrouted["status"] == 404 and unrouted["error"] == "no_route"
    text = "\n".join(sidecar.stdout_lines)
    assert SECRET not in text and "Say hello" not in text, "no keys, no prompt text"


def test_sampling_drops_successes_but_keeps_failures(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock)], ROUTES, secrets={"mock-key": SECRET},
                            args=("--access-log-sample-rate", "0"))
    app = sidecar.addresses["app"]
    for _ in range(20):
        request(app, post("/v1/chat/completions", chat_body("gpt-4o-mini")))
    request(app, post("/v1/chat/completions", chat_body("nope")))
    lines = poll_until(lambda: log_lines(sidecar), message="the failure's log line")
    assert [line["status"] for line in lines] == [404]
