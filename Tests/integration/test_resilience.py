"""Resilience (issue 5): retries honouring Retry-After, fallback chains, truncation, concurrency
limits, circuit breaking, warmup pings, and a fault storm — sluice-mock playing the faults."""
import json
import threading
import time

import pytest

from conftest import Reader, chat_body, connect, poll_until, post, request
from sidecar import start_sidecar


def mock_with(start, tmp_path, models):
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": models}))
    return start("sluice-mock", "--listen", "127.0.0.1:0", "--workers", "2", "--models", str(path))


def backend(mock, name, **extra):
    host, port = mock.address
    return {"name": name, "provider": "openai", "baseURL": f"http://{host}:{port}/v1", **extra}


def stats(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)


def ask(sidecar, model="m", stream=False, headers=()):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body(model, stream=stream), headers=list(headers)))


def test_a_429_with_retry_after_is_waited_for_then_retried(start, tmp_path):
    mock = mock_with(start, tmp_path, {"busy": {"status": 429, "retry-after": 1, "fail-first": 1}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "primary")],
                            [{"name": "r", "split": [{"backend": "primary", "weight": 1}], "retry": {"attempts": 2}}])
    began = time.monotonic()
    response = ask(sidecar, "busy")
    elapsed = time.monotonic() - began
    assert response.status == 200
    assert response.header("x-sluice-attempts") == "2"
    assert elapsed >= 1.0, "the provider asked for 1 s: waiting less would be ignored by it"
    assert stats(mock)["by_model"]["busy"] == 2


def test_a_retry_after_longer_than_the_deadline_goes_straight_to_the_fallback(start, tmp_path):
    mock = mock_with(start, tmp_path, {"busy": {"status": 429, "retry-after": 30}, "spare": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "primary"), backend(mock, "second")],
                            [{"name": "r", "split": [{"backend": "primary", "weight": 1, "model": "busy"}],
                              "retry": {"attempts": 3}, "deadline": "5s",
                              "fallback": {"chain": [{"backend": "second", "model": "spare"}]}}])
    began = time.monotonic()
    response = ask(sidecar, "anything")
    assert response.status == 200
    assert time.monotonic() - began < 2.0
    assert response.header("x-sluice-backend") == "second"
    assert response.json()["model"] == "spare"


@pytest.mark.parametrize("fault", [{"status": 503}, {"reset": "before"}, {"status": 429}])
def test_a_failing_primary_is_answered_by_the_fallback(start, tmp_path, fault):
    mock = mock_with(start, tmp_path, {"self-hosted-r1": fault, "qwen-max": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "vllm"), backend(mock, "dashscope")],
                            [{"name": "r", "split": [{"backend": "vllm", "weight": 1, "model": "self-hosted-r1"}],
                              "fallback": {"chain": [{"backend": "dashscope", "model": "qwen-max"}]}}])
    response = ask(sidecar, "deepseek-r1")
    assert response.status == 200
    assert response.header("x-sluice-backend") == "dashscope"
    assert response.header("x-sluice-model") == "qwen-max"
    assert response.header("x-sluice-attempts") == "2"
    assert response.json()["model"] == "qwen-max"


def test_a_chain_of_two_fallbacks_is_walked_in_order(start, tmp_path):
    mock = mock_with(start, tmp_path, {"r1": {"status": 503}, "distill-32b": {"status": 502}, "qwen-max": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "a"), backend(mock, "b"), backend(mock, "c")],
                            [{"name": "r", "split": [{"backend": "a", "weight": 1, "model": "r1"}],
                              "fallback": {"chain": [{"backend": "b", "model": "distill-32b"}, {"backend": "c", "model": "qwen-max"}]}}])
    response = ask(sidecar)
    assert response.status == 200 and response.header("x-sluice-backend") == "c"
    assert response.header("x-sluice-attempts") == "3"


def test_a_stream_whose_primary_fails_before_the_first_byte_is_served_by_the_fallback(start, tmp_path):
    mock = mock_with(start, tmp_path, {"down": {"status": 503}, "up": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "a"), backend(mock, "b")],
                            [{"name": "r", "split": [{"backend": "a", "weight": 1, "model": "down"}],
                              "fallback": {"chain": [{"backend": "b", "model": "up"}]}}])
    response = ask(sidecar, stream=True)
    assert response.status == 200
    assert response.header("x-sluice-backend") == "b"
    assert response.body.endswith(b"data: [DONE]\n\n")


def test_a_non_trigger_status_is_delivered_as_it_is(start, tmp_path):
    mock = mock_with(start, tmp_path, {"strict": {"status": 400}, "spare": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "a"), backend(mock, "b")],
                            [{"name": "r", "split": [{"backend": "a", "weight": 1, "model": "strict"}],
                              "fallback": {"chain": [{"backend": "b", "model": "spare"}]}}])
    response = ask(sidecar)
    assert response.status == 400
    assert response.header("x-sluice-backend") == "a"


def test_truncated_output_is_sent_again_to_the_larger_context_backend(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small-ctx": {"truncate": True}, "large-ctx": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "small"), backend(mock, "large")],
                            [{"name": "r", "split": [{"backend": "small", "weight": 1, "model": "small-ctx"}],
                              "fallback": {"chain": [{"backend": "large", "model": "large-ctx"}], "on": {"truncation": True}}}])
    response = ask(sidecar)
    assert response.status == 200
    assert response.header("x-sluice-backend") == "large"
    assert response.json()["choices"][0]["finish_reason"] == "stop"


def test_truncated_output_without_a_fallback_is_delivered_and_flagged(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small-ctx": {"truncate": True}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "small")],
                            [{"name": "r", "split": [{"backend": "small", "weight": 1, "model": "small-ctx"}]}])
    response = ask(sidecar)
    assert response.status == 200
    assert response.header("x-sluice-truncated") == "true"
    assert response.json()["choices"][0]["finish_reason"] == "length"


def test_a_truncated_stream_within_the_buffer_falls_back_when_the_route_buffers_streams(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small-ctx": {"truncate": True}, "large-ctx": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "small"), backend(mock, "large")],
                            [{"name": "r", "split": [{"backend": "small", "weight": 1, "model": "small-ctx"}],
                              "truncation": {"bufferStreams": "2s"},
                              "fallback": {"chain": [{"backend": "large", "model": "large-ctx"}], "on": {"truncation": True}}}])
    response = ask(sidecar, stream=True)
    assert response.status == 200
    assert response.header("x-sluice-backend") == "large"
    assert b'"finish_reason":"stop"' in response.body


def concurrent(sidecar, n, model="m", stream=False):
    results = [None] * n

    def one(i):
        try:
            results[i] = ask(sidecar, model, stream=stream)
        except Exception as error:  # noqa: BLE001 — recorded as a failure
            results[i] = error
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_a_concurrency_limit_of_two_sends_the_overflow_to_the_fallback(start, tmp_path):
    mock = mock_with(start, tmp_path, {"slow-r1": {"latency": "600ms"}, "online": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "selfhosted", maxConcurrentRequests=2), backend(mock, "online")],
                            [{"name": "r", "split": [{"backend": "selfhosted", "weight": 1, "model": "slow-r1"}],
                              "fallback": {"chain": [{"backend": "online", "model": "online"}]}}])
    results = concurrent(sidecar, 10)
    assert all(r.status == 200 for r in results), results
    by_backend = [r.header("x-sluice-backend") for r in results]
    assert by_backend.count("selfhosted") == 2
    assert by_backend.count("online") == 8
    assert stats(mock)["by_model"] == {"slow-r1": 2, "online": 8}


def test_a_concurrency_limit_with_a_queue_serves_everyone_two_at_a_time(start, tmp_path):
    mock = mock_with(start, tmp_path, {"slow-r1": {"latency": "300ms"}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "selfhosted", maxConcurrentRequests=2, queue={"size": 10, "maxWait": "10s"})],
                            [{"name": "r", "split": [{"backend": "selfhosted", "weight": 1, "model": "slow-r1"}]}])
    began = time.monotonic()
    results = concurrent(sidecar, 10)
    elapsed = time.monotonic() - began
    assert all(r.status == 200 for r in results), results
    # Ten 300 ms answers two at a time take at least five rounds.
    assert elapsed >= 1.4


def test_a_full_queue_without_fallback_is_a_503_with_retry_after(start, tmp_path):
    mock = mock_with(start, tmp_path, {"slow-r1": {"latency": "500ms"}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "selfhosted", maxConcurrentRequests=1)],
                            [{"name": "r", "split": [{"backend": "selfhosted", "weight": 1, "model": "slow-r1"}]}])
    results = concurrent(sidecar, 4)
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 503, 503, 503]
    rejected = next(r for r in results if r.status == 503)
    assert rejected.json()["error"]["code"] == "backend_overloaded"
    assert rejected.header("retry-after")


def test_a_backend_failing_five_times_is_ejected_until_its_cooldown_ends(start, tmp_path):
    mock = mock_with(start, tmp_path, {"flaky": {"status": 503}, "steady": {}})
    breaker = {"consecutiveFailures": 5, "errorRatePercent": 0, "cooldown": "1s", "maxCooldown": "10s"}
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "flaky", circuitBreaker=breaker), backend(mock, "steady")],
                            [{"name": "r", "split": [{"backend": "flaky", "weight": 1, "model": "flaky"}],
                              "fallback": {"chain": [{"backend": "steady", "model": "steady"}]}}])
    for _ in range(5):
        assert ask(sidecar).header("x-sluice-backend") == "steady"
    assert stats(mock)["by_model"]["flaky"] == 5
    for _ in range(5):
        response = ask(sidecar)
        assert response.status == 200 and response.header("x-sluice-backend") == "steady"
    assert stats(mock)["by_model"]["flaky"] == 5, "an ejected backend gets no traffic"
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert 'sluice_backend_ejections_total{backend="flaky"} 1' in metrics
    assert 'sluice_backend_healthy{backend="flaky"} 0' in metrics
    assert 'sluice_backend_healthy{backend="steady"} 1' in metrics
    # After the cooldown a probe goes to it again.
    poll_until(lambda: ask(sidecar) and stats(mock)["by_model"]["flaky"] == 6, timeout=5, interval=0.2,
               message="a half-open probe after the cooldown")


def test_warmup_pings_reach_an_idle_backend_and_stop_while_traffic_flows(start, tmp_path):
    mock = mock_with(start, tmp_path, {"cold": {}})
    warmup = {"idleAfter": "300ms", "interval": "300ms", "chat": {"model": "warm-ping", "maxTokens": 1}}
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "gpu", warmup=warmup)],
                            [{"name": "r", "split": [{"backend": "gpu", "weight": 1, "model": "cold"}]}])
    pings = lambda: stats(mock)["by_model"].get("warm-ping", 0)  # noqa: E731
    poll_until(lambda: pings() >= 3, timeout=5, message="pings to an idle backend")
    # Steady traffic: no pings while it flows.
    stop = time.monotonic() + 1.2
    before = None
    while time.monotonic() < stop:
        ask(sidecar, "cold")
        if before is None:
            before = pings()
    assert pings() - before <= 1, "pings are not sent while real traffic flows"
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert 'sluice_warmup_pings_total{backend="gpu",result="success"}' in metrics


def test_a_fault_storm_of_2000_requests_is_fully_absorbed_by_the_fallback(start, tmp_path):
    mock = mock_with(start, tmp_path, {"peak": {"status": 429, "retry-after": 1}, "calm": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "public"), backend(mock, "reserve")],
                            [{"name": "r", "split": [{"backend": "public", "weight": 1, "model": "peak"}],
                              "fallback": {"chain": [{"backend": "reserve", "model": "calm"}]}}])
    failures, served = [], [0]

    def worker():
        sock = connect(sidecar.addresses["app"])
        reader = Reader(sock)
        for _ in range(125):
            sock.sendall(post("/v1/chat/completions", chat_body("m")))
            response = reader.read_response()
            if response.status != 200:
                failures.append(response.status)
            served[0] += 1
    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert served[0] == 2000
    assert failures == []
    assert stats(mock)["by_model"]["calm"] == 2000


def test_no_warmup_ping_is_sent_while_a_long_stream_is_in_flight(start, tmp_path):
    # Issue 13: a 4.6 s stream got 4 pings while it ran; a backend serving a request is not idle.
    mock = mock_with(start, tmp_path, {"slow": {"tokens-per-second": 20, "output-tokens": 40}})
    warmup = {"idleAfter": "300ms", "interval": "300ms", "chat": {"model": "warm-ping", "maxTokens": 1}}
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "gpu", warmup=warmup, maxConcurrentRequests=4)],
                            [{"name": "r", "split": [{"backend": "gpu", "weight": 1, "model": "slow"}]}])
    pings = lambda: stats(mock)["by_model"].get("warm-ping", 0)  # noqa: E731
    poll_until(lambda: pings() >= 1, timeout=5, message="the start-up ping")
    before = pings()
    began = time.monotonic()
    response = ask(sidecar, "slow", stream=True)
    assert response.status == 200 and time.monotonic() - began >= 1.5, "a stream of about two seconds"
    assert pings() == before, "no ping while the stream was in flight"
    poll_until(lambda: pings() > before, timeout=5, message="pings again once the backend is idle")


def test_a_first_token_timeout_fails_over_a_provider_that_only_sends_keep_alives(start, tmp_path):
    # Issue 13: DeepSeek answers 200 with `: keep-alive` comments before a late first token; the
    # head-based timeout never fires. The first-token timeout fails over before anything reached the client.
    mock = mock_with(start, tmp_path, {"late": {"ttft": "3s", "keepalive": "100ms"}, "quick": {}})
    sidecar = start_sidecar(start, tmp_path,
                            [backend(mock, "primary", timeouts={"firstByte": "1s", "firstToken": "1s"}), backend(mock, "spare")],
                            [{"name": "r", "split": [{"backend": "primary", "weight": 1, "model": "late"}], "retry": {"attempts": 1},
                              "fallback": {"chain": [{"backend": "spare", "model": "quick"}]}}])
    began = time.monotonic()
    response = ask(sidecar, "anything", stream=True)
    elapsed = time.monotonic() - began
    assert response.status == 200
    assert response.header("x-sluice-backend") == "spare"
    assert 1.0 <= elapsed < 2.5, f"failed over at the first-token timeout, not at the late token ({elapsed:.2f}s)"
    assert b": keep-alive" not in response.body, "nothing of the abandoned attempt reached the client"
    assert response.body.endswith(b"data: [DONE]\n\n")
    # The request is counted when it ends, which can be just after its last byte reached the client.
    counted = 'sluice_requests_total{route="r",backend="spare",model="other",code="200",consumer="anonymous"} 1'
    metrics = poll_until(lambda: (m := request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                                  .body.decode()) and counted in m and m, message="the request to be counted")
    assert 'sluice_upstream_errors_total{backend="primary",kind="first_token_timeout"} 1' in metrics


def test_the_access_log_names_the_backend_that_answered_and_the_path_taken(start, tmp_path):
    mock = mock_with(start, tmp_path, {"down": {"status": 503}, "up": {}})
    sidecar = start_sidecar(start, tmp_path, [backend(mock, "primary"), backend(mock, "spare")],
                            [{"name": "r", "split": [{"backend": "primary", "weight": 1, "model": "down"}], "retry": {"attempts": 1},
                              "fallback": {"chain": [{"backend": "spare", "model": "up"}]}}])
    assert ask(sidecar, "m").status == 200
    line = poll_until(lambda: next((json.loads(l) for l in list(sidecar.stdout_lines) if '"route":"r"' in l), None),
                      message="the access-log line")
    assert line["backend"] == "spare" and line["upstream_model"] == "up"
    assert line["status"] == 200 and "error" not in line
    assert "503" in line["path_taken"] and line["attempts"] == 2
