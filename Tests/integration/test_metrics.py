"""Metrics (issue 6): the exposition passes promtool, and a real Prometheus scraping the sidecar
sees exactly the traffic the test sent."""
import json
import subprocess
import time

import pytest

from conftest import chat_body, poll_until, post, request
from prometheus_server import Prometheus
from sidecar import mock_backend, start_sidecar

ROUTES = [
    {"name": "chat", "match": {"model": {"prefix": "gpt-"}}, "split": [{"backend": "mock", "weight": 1}]},
    {"name": "reasoning", "match": {"model": {"exact": "deepseek-r1"}}, "split": [{"backend": "mock", "weight": 1}]},
]


@pytest.fixture
def sidecar(start, mock, tmp_path):
    server = start_sidecar(start, tmp_path, [mock_backend(mock)], ROUTES, secrets={"mock-key": "sk"})
    server.mock = mock
    return server


def mixed_traffic(app):
    """Sends a known mix; returns the expected request counts by status code."""
    sent = {}

    def count(status):
        sent[str(status)] = sent.get(str(status), 0) + 1

    for i in range(7):
        count(request(app, post("/v1/chat/completions", chat_body("gpt-4o-mini"))).status)
    for i in range(3):
        count(request(app, post("/v1/chat/completions", chat_body("gpt-4o", stream=True),
                                headers=[("x-mock-output-tokens", "5")])).status)
    count(request(app, post("/v1/chat/completions", chat_body("deepseek-r1"), headers=[("x-mock-reasoning-tokens", "4")])).status)
    for _ in range(2):
        count(request(app, post("/v1/chat/completions", chat_body("claude-3"))).status)  # no route: 404
    count(request(app, post("/v1/chat/completions", chat_body("gpt-4o"), headers=[("x-mock-status", "429")])).status)
    count(request(app, post("/v1/chat/completions", chat_body("gpt-4o"), headers=[("x-mock-status", "503")])).status)
    return sent


def scrape(sidecar):
    return request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")


def test_the_exposition_passes_promtool_after_mixed_traffic(sidecar):
    mixed_traffic(sidecar.addresses["app"])
    response = scrape(sidecar)
    assert response.status == 200
    assert response.header("content-type").startswith("text/plain; version=0.0.4")
    result = subprocess.run(["promtool", "check", "metrics"], input=response.body, capture_output=True)
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()
    text = response.body.decode()
    for name in ["sluice_requests_total", "sluice_request_duration_seconds_bucket", "sluice_time_to_first_token_seconds_bucket",
                 "sluice_config_reload_total", "sluice_build_info", "process_resident_memory_bytes", "process_cpu_seconds_total",
                 "process_open_fds", "process_start_time_seconds", "sluice_ready"]:
        assert name in text, name


def test_openmetrics_is_served_when_asked_for(sidecar):
    response = request(sidecar.addresses["metrics"],
                       b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n")
    assert response.header("content-type").startswith("application/openmetrics-text")
    assert response.body.endswith(b"# EOF\n")


def test_prices_in_the_config_become_cost(start, mock, tmp_path):
    backend = mock_backend(mock, prices={"gpt-4o-mini": {"input": 0.15, "output": 0.60, "currency": "USD"}})
    sidecar = start_sidecar(start, tmp_path, [backend], ROUTES, secrets={"mock-key": "sk"})
    usage = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("gpt-4o-mini"))).json()["usage"]
    text = scrape(sidecar).body.decode()
    line = next(l for l in text.splitlines() if l.startswith("sluice_cost_total{"))
    expected = (usage["prompt_tokens"] * 0.15 + usage["completion_tokens"] * 0.60) / 1e6
    assert abs(float(line.rsplit(" ", 1)[1]) - expected) < 1e-12
    assert 'currency="USD"' in line


def test_unknown_models_are_counted_as_other(sidecar):
    app = sidecar.addresses["app"]
    for i in range(5):
        request(app, post("/v1/chat/completions", chat_body(f"gpt-random-{i}")))
    text = scrape(sidecar).body.decode()
    assert 'model="other"' in text
    assert "gpt-random" not in text


def test_a_real_prometheus_sees_exactly_the_traffic_sent(sidecar, tmp_path):
    host, port = sidecar.addresses["metrics"]
    prometheus = Prometheus(str(tmp_path), [f"{host}:{port}"])
    try:
        poll_until(lambda: prometheus.targets_up() == 1, timeout=20, message="the sidecar to be scraped")
        sent = mixed_traffic(sidecar.addresses["app"])
        total = sum(sent.values())
        # Wait for a scrape that happened after the last request.
        poll_until(lambda: prometheus.scalar("sum(sluice_requests_total)") == total, timeout=20,
                   message=f"prometheus to see {total} requests")
        by_code = {r["metric"]["code"]: float(r["value"][1]) for r in prometheus.query("sum by (code) (sluice_requests_total)")}
        assert by_code == {code: float(n) for code, n in sent.items()}
        routes = {r["metric"]["route"] for r in prometheus.query("sum by (route) (sluice_requests_total)")}
        assert routes == {"chat", "reasoning", "none"}
        assert prometheus.scalar('sluice_config_reload_total{result="success"}') == 1
        assert prometheus.scalar("sum(sluice_request_duration_seconds_count)") == total - sent["404"]
        # Tokens: exactly what the provider reported producing (cached and reasoning are parts
        # of prompt and completion, so only those two are summed).
        produced = json.loads(request(sidecar.mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)
        expected_tokens = produced["prompt_tokens_total"] + produced["completion_tokens_total"]
        poll_until(lambda: prometheus.scalar('sum(sluice_tokens_total{type=~"prompt|completion"})') == expected_tokens,
                   timeout=20, message=f"prometheus to see {expected_tokens} tokens")
        assert prometheus.scalar('sum(sluice_tokens_total{type="reasoning"})') == produced["reasoning_tokens_total"]
    finally:
        prometheus.stop()
