"""Smart routing (issue 20): `auto` models choose among registry entries per request — sluice-mock
playing models of different prices, speeds and capabilities, checked at the mock."""
import json
import threading
import time

from conftest import Reader, chat_body, connect, poll_until, post, request
from sidecar import start_sidecar
from test_resilience import backend, mock_with, stats


def registry_backends(mock):
    """small: cheap, 8k, no tools; medium: tools, 128k; large: tools and vision, 1M, "strong"."""
    return [
        backend(mock, "a", prices={"small": {"input": 0.1, "output": 0.2}}, modelInfo={"small": {"contextWindow": 8000}}),
        backend(mock, "b", prices={"medium": {"input": 1, "output": 2}},
                modelInfo={"medium": {"contextWindow": 128000, "capabilities": ["tools"]}}),
        backend(mock, "c", prices={"large": {"input": 5, "output": 15}},
                modelInfo={"large": {"contextWindow": 1000000, "capabilities": ["tools", "vision"], "tags": ["strong"]}}),
    ]


def auto_route(**auto):
    model = {"name": "auto", "strategy": "cost", "classes": [{"name": "reasoning", "keywords": ["prove"], "requireTags": ["strong"]}]}
    model.update(auto)
    return [{"name": "auto", "match": {"models": ["auto"]}, "split": [{"backend": "a", "weight": 1, "model": "small"}],
             "retry": {"attempts": 1}, "auto": [model]}]


def ask(sidecar, **extra):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("auto", **extra)))


TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]


def test_auto_requests_land_where_the_cost_strategy_says(start, tmp_path):
    mock = mock_with(start, tmp_path, {"*": {}})
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock), auto_route())
    plain = ask(sidecar)
    assert plain.status == 200
    assert plain.header("x-sluice-model") == "small" and plain.header("x-sluice-backend") == "a"
    assert plain.header("x-sluice-model-reason") == "cost; 3 of 3 candidates"
    assert plain.json()["model"] == "small"
    with_tools = ask(sidecar, tools=TOOLS)
    assert with_tools.header("x-sluice-model") == "medium"
    long_prompt = ask(sidecar, messages=[{"role": "user", "content": "word " * 40000}])
    assert long_prompt.header("x-sluice-model") == "medium", "200 kB of text is ~50k tokens: over small's 8k"
    reasoning = ask(sidecar, messages=[{"role": "user", "content": "Prove that the loop halts"}])
    assert reasoning.header("x-sluice-model") == "large"
    assert reasoning.header("x-sluice-model-reason") == "cost; class reasoning; 1 of 3 candidates"
    assert stats(mock)["by_model"] == {"small": 1, "medium": 2, "large": 1}
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert 'sluice_routing_decisions_total{route="auto",model="medium",reason="cost",class="none"} 2' in metrics
    lines = poll_until(lambda: [json.loads(l) for l in sidecar.stdout_lines if l.startswith("{")][3:] and
                       [json.loads(l) for l in sidecar.stdout_lines if l.startswith("{")], message="four access log lines")
    reasons = {(line["upstream_model"], line["route_reason"]) for line in lines}
    assert ("large", "cost; class reasoning; 1 of 3 candidates") in reasons


def test_a_fallback_crosses_to_the_next_candidate(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small": {"status": 503}, "*": {}})
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock), auto_route())
    response = ask(sidecar)
    assert response.status == 200
    assert response.header("x-sluice-model") == "medium" and response.header("x-sluice-attempts") == "2"
    assert response.json()["model"] == "medium"
    assert stats(mock)["by_model"] == {"small": 1, "medium": 1}


def test_a_slow_model_is_left_out_under_cost_within_latency_once_its_p95_counts(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small": {"latency": "150ms"}, "*": {}})
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock),
                            auto_route(strategy="cost-within-latency", maxP95TimeToFirstToken="100ms"))
    for _ in range(10):  # the minimum sample count before a live figure counts
        assert ask(sidecar).header("x-sluice-model") == "small"
    response = ask(sidecar)
    assert response.header("x-sluice-model") == "medium"
    assert response.header("x-sluice-model-reason") == "cost-within-latency; 2 of 3 candidates"
    assert stats(mock)["by_model"] == {"small": 10, "medium": 1}


def test_explain_shows_candidates_exclusions_costs_and_the_choice(start, tmp_path):
    mock = mock_with(start, tmp_path, {"*": {}})
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock), auto_route())
    body = chat_body("auto", tools=TOOLS, max_tokens=100)
    explained = request(sidecar.addresses["admin"], post("/explain", body)).json()
    assert explained["backend"] == "b" and explained["upstreamModel"] == "medium"
    auto = explained["auto"]
    assert auto["strategy"] == "cost" and auto["reason"] == "cost" and auto["needs"] == ["tools"]
    assert auto["requestedOutputTokens"] == 100
    assert auto["chosen"] == {"backend": "b", "model": "medium"}
    by_model = {c["model"]: c for c in auto["candidates"]}
    assert by_model["small"]["excludedBy"] == "capability: needs tools" and by_model["small"]["rank"] is None
    assert by_model["medium"]["rank"] == 1 and by_model["large"]["rank"] == 2
    assert by_model["medium"]["estimatedCost"] < by_model["large"]["estimatedCost"]
    assert stats(mock)["requests_total"] == 0, "explain never calls upstream"


def test_a_request_no_model_can_serve_is_refused_with_the_reasons(start, tmp_path):
    mock = mock_with(start, tmp_path, {"*": {}})
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock), auto_route())
    image = [{"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]
    response = ask(sidecar, max_tokens=5000000, messages=[{"role": "user", "content": image}])
    assert response.status == 400
    error = response.json()["error"]
    assert error["code"] == "no_capable_model"
    assert "a/small: capability: needs vision" in error["message"]
    assert stats(mock)["requests_total"] == 0
    line = poll_until(lambda: [json.loads(l) for l in sidecar.stdout_lines if l.startswith("{")], message="an access log line")[0]
    assert line["status"] == 400 and line["error"] == "no_capable_model"


def priority_sidecar(start, tmp_path, mock, limit, queue):
    backends = [backend(mock, "slow", maxConcurrentRequests=limit, queue={"size": queue, "maxWait": "30s"})]
    routes = [{"name": "r", "split": [{"backend": "slow", "weight": 1}], "retry": {"attempts": 1}}]
    return start_sidecar(start, tmp_path, backends, routes, defaults={"priorities": {"levels": ["high", "low"], "default": "low"}})


def gauge(sidecar, name):
    """A gauge of the backend "slow" (0 before it has a series)."""
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    line = next((l for l in metrics.splitlines() if l.startswith(name + '{backend="slow"}')), None)
    return int(float(line.split()[-1])) if line else 0


def send_all(sidecar, priorities):
    """Sends one request per priority, each from its own thread; returns (priority, status,
    retry-after, finished at) per request, and the threads."""
    return send_each(sidecar, [(priority, [("x-sluice-priority", priority)]) for priority in priorities])


def send_each(sidecar, requests):
    """Sends one request per (label, headers), each from its own thread; returns (label, status,
    retry-after, finished at) per request, and the threads."""
    results, threads = [], []

    def one(label, headers):
        # The last of twenty-two requests through two slots waits longer than request()'s 10 s.
        sock = connect(sidecar.addresses["app"], timeout=60)
        try:
            sock.sendall(post("/v1/chat/completions", chat_body("m"), headers=headers))
            response = Reader(sock).read_response()
        finally:
            sock.close()
        results.append((label, response.status, response.header("retry-after"), time.monotonic()))

    for label, headers in requests:
        thread = threading.Thread(target=one, args=(label, headers))
        thread.start()
        threads.append(thread)
    return results, threads


def test_high_priority_requests_start_before_queued_low_ones(start, tmp_path):
    mock = mock_with(start, tmp_path, {"m": {"latency": "1500ms"}})
    sidecar = priority_sidecar(start, tmp_path, mock, limit=2, queue=20)
    busy, busy_threads = send_all(sidecar, ["low", "low"])
    # Both slots taken (at the sidecar: libcurl may still be opening the second connection).
    poll_until(lambda: gauge(sidecar, "sluice_backend_in_flight") == 2, message="two requests holding the slots")
    waiting, threads = send_all(sidecar, ["low", "high"] * 10)
    poll_until(lambda: gauge(sidecar, "sluice_backend_queued") == 20, message="twenty requests queued")
    for thread in busy_threads + threads:
        thread.join(timeout=60)
    assert sorted(status for _, status, _, _ in busy + waiting) == [200] * 22
    # Two slots, one 1.5 s latency: a request finishes one latency after it starts. The last
    # high-priority one may share its wave with the first low-priority one (granted just after
    # it), but a low one let in while a high one waited would finish a wave earlier.
    last_high = max(done for priority, _, _, done in waiting if priority == "high")
    first_low = min(done for priority, _, _, done in waiting if priority == "low")
    assert last_high < first_low + 0.75, "every high-priority request started before any queued low-priority one"
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert 'sluice_queue_wait_seconds_count{backend="slow",priority="high"} 10' in metrics
    assert 'sluice_queue_wait_seconds_count{backend="slow",priority="low"} 10' in metrics


def test_a_full_queue_sheds_the_low_class_first(start, tmp_path):
    mock = mock_with(start, tmp_path, {"m": {"latency": "1500ms"}})
    sidecar = priority_sidecar(start, tmp_path, mock, limit=1, queue=4)
    busy, busy_threads = send_all(sidecar, ["low"])
    poll_until(lambda: gauge(sidecar, "sluice_backend_in_flight") == 1, message="one request holding the slot")
    low, low_threads = send_all(sidecar, ["low"] * 4)
    poll_until(lambda: gauge(sidecar, "sluice_backend_queued") == 4, message="four low requests queued")
    high, high_threads = send_all(sidecar, ["high"] * 2)
    displaced = 'sluice_queue_shed_total{backend="slow",priority="low",reason="displaced"} 2'
    poll_until(lambda: displaced in metrics_text(sidecar), message="two low requests displaced")
    # The queue is full again (two low, two high): a low arrival has no one below it to push out.
    late, late_threads = send_all(sidecar, ["low"])
    for thread in busy_threads + low_threads + high_threads + late_threads:
        thread.join(timeout=60)
    assert late[0][1] == 503 and late[0][2]
    assert [status for _, status, _, _ in high] == [200, 200]
    shed = [result for result in low if result[1] == 503]
    assert len(shed) == 2 and all(retry_after for _, _, retry_after, _ in shed), "the lowest class is shed, with Retry-After"
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert displaced in metrics
    assert 'sluice_queue_shed_total{backend="slow",priority="low",reason="queue_full"} 1' in metrics


def test_an_unknown_priority_is_refused(start, tmp_path):
    mock = mock_with(start, tmp_path, {"m": {}})
    sidecar = priority_sidecar(start, tmp_path, mock, limit=1, queue=1)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m"), headers=[("x-sluice-priority", "urgent")]))
    assert response.status == 400 and response.json()["error"]["code"] == "invalid_priority"


def metrics_text(sidecar):
    return request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()


CONSUMER_KEYS = {"consumers/etl/key": "sk-etl\n", "consumers/app/key": "sk-app\n", "consumers/team/key": "sk-team\n"}


def test_a_consumers_class_caps_its_header_and_others_get_the_default(start, tmp_path):
    mock = mock_with(start, tmp_path, {"m": {"latency": "1s"}})
    backends = [backend(mock, "slow", maxConcurrentRequests=1, queue={"size": 10, "maxWait": "30s"})]
    routes = [{"name": "r", "split": [{"backend": "slow", "weight": 1}], "retry": {"attempts": 1}}]
    consumers = {"consumers": [{"name": "etl", "keysDirectory": "consumers/etl", "priority": "low"},
                               {"name": "app", "keysDirectory": "consumers/app"}],
                 "authentication": {"allowAnonymous": True}}
    sidecar = start_sidecar(start, tmp_path, backends, routes, secrets=CONSUMER_KEYS, extra=consumers,
                            defaults={"priorities": {"levels": ["high", "low"], "default": "high"}})
    busy, busy_threads = send_each(sidecar, [("busy", [])])
    poll_until(lambda: gauge(sidecar, "sluice_backend_in_flight") == 1, message="one request holding the slot")
    queued, threads = send_each(sidecar, [
        ("etl asks high", [("authorization", "Bearer sk-etl"), ("x-sluice-priority", "high")]),  # capped to its class
        ("app, no header", [("authorization", "Bearer sk-app")]),                                # the default class
        ("anonymous asks low", [("x-sluice-priority", "low")]),                                   # may always go lower
    ])
    poll_until(lambda: gauge(sidecar, "sluice_backend_queued") == 3, message="three requests queued")
    for thread in busy_threads + threads:
        thread.join(timeout=60)
    assert sorted(status for _, status, _, _ in busy + queued) == [200] * 4
    metrics = metrics_text(sidecar)
    assert 'sluice_queue_wait_seconds_count{backend="slow",priority="high"} 1' in metrics
    assert 'sluice_queue_wait_seconds_count{backend="slow",priority="low"} 2' in metrics
    finished = {label: done for label, _, _, done in queued}
    assert finished["app, no header"] < finished["etl asks high"], "the high class went first"
    explained = request(sidecar.addresses["admin"], post("/explain?consumer=etl", chat_body("m"),
                                                         headers=[("x-sluice-priority", "high")])).json()
    assert explained["priority"] == "low"
    unknown = request(sidecar.addresses["admin"], post("/explain?consumer=nobody", chat_body("m")))
    assert unknown.status == 400 and unknown.json()["error"]["code"] == "unknown_consumer"
    # The query value is percent-decoded: %65 is "e".
    encoded = request(sidecar.addresses["admin"], post("/explain?consumer=%65tl", chat_body("m"),
                                                       headers=[("x-sluice-priority", "high")])).json()
    assert encoded["priority"] == "low"
    malformed = request(sidecar.addresses["admin"], post("/explain?consumer=%zz", chat_body("m")))
    assert malformed.status == 400 and malformed.json()["error"]["code"] == "invalid_query"


def test_a_consumer_over_budget_is_sent_to_cheaper_tiers(start, tmp_path):
    mock = mock_with(start, tmp_path, {"*": {}})
    backends = registry_backends(mock)
    backends[2]["modelInfo"]["large"]["tier"] = 3
    # Latency ranks the measured (fast) large model first; over budget, tier 3 is set aside and cost ranks.
    routes = auto_route(strategy="latency", classes=None, overBudget={"usedPercent": 50, "maxTier": 1, "strategy": "cost"})
    del routes[0]["auto"][0]["classes"]
    routes.append({"name": "direct", "match": {"models": ["large"]}, "split": [{"backend": "c", "weight": 1}]})
    consumers = {"consumers": [{"name": "team", "keysDirectory": "consumers/team", "quotas": {"tokensPerDay": 100000}}]}
    sidecar = start_sidecar(start, tmp_path, backends, routes, secrets=CONSUMER_KEYS, extra=consumers)
    team = [("authorization", "Bearer sk-team")]
    for _ in range(10):  # the samples large needs before its p95 counts
        assert request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("large"), headers=team)).status == 200
    within = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("auto"), headers=team))
    assert within.header("x-sluice-model") == "large"
    assert within.header("x-sluice-model-reason") == "latency; 3 of 3 candidates"
    head = b"POST /consumers/team/usage/adjust HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
    body = json.dumps({"limit": "quotas.tokensPerDay", "delta": 60000}).encode()
    assert request(sidecar.addresses["admin"], head % len(body) + body).status == 200
    over = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("auto"), headers=team))
    assert over.status == 200 and over.header("x-sluice-model") == "small"
    assert over.header("x-sluice-model-reason") == "cost; over budget 60%; 2 of 3 candidates"
    assert stats(mock)["by_model"] == {"large": 11, "small": 1}
    explained = request(sidecar.addresses["admin"], post("/explain?consumer=team", chat_body("auto"))).json()
    assert explained["auto"]["budget"] == {"quotaUsedPercent": 60, "overBudgetAt": 50, "applied": True, "maxTier": 1, "strategy": "cost"}
    large = next(c for c in explained["auto"]["candidates"] if c["model"] == "large")
    assert large["excludedBy"] == "budget: tier 3 above 1 while the consumer is over budget"
    anonymous = request(sidecar.addresses["admin"], post("/explain", chat_body("auto"))).json()
    assert anonymous["auto"]["budget"] is None and anonymous["auto"]["chosen"]["model"] == "large"


def test_reserved_slots_let_the_top_class_pass_a_queued_lower_one(start, tmp_path):
    mock = mock_with(start, tmp_path, {"m": {"latency": "1500ms"}})
    backends = [backend(mock, "slow", maxConcurrentRequests=2, queue={"size": 10, "maxWait": "30s"})]
    routes = [{"name": "r", "split": [{"backend": "slow", "weight": 1}], "retry": {"attempts": 1}}]
    sidecar = start_sidecar(start, tmp_path, backends, routes,
                            defaults={"priorities": {"levels": ["high", "low"], "default": "low", "reservedPercent": 50}})
    first, first_threads = send_all(sidecar, ["low"])
    poll_until(lambda: gauge(sidecar, "sluice_backend_in_flight") == 1, message="the low request holding the unreserved slot")
    second, second_threads = send_all(sidecar, ["low"])
    poll_until(lambda: gauge(sidecar, "sluice_backend_queued") == 1, message="the second low request queued beside the free reserved slot")
    assert gauge(sidecar, "sluice_backend_in_flight") == 1
    high, high_threads = send_all(sidecar, ["high"])
    poll_until(lambda: gauge(sidecar, "sluice_backend_in_flight") == 2, message="the high request in the reserved slot")
    for thread in first_threads + second_threads + high_threads:
        thread.join(timeout=60)
    assert [status for _, status, _, _ in first + second + high] == [200, 200, 200]
    assert high[0][3] < second[0][3], "the high request finished before the low one queued ahead of it"


def test_explain_shows_each_entrys_live_error_rate_and_output_speed(start, tmp_path):
    mock = mock_with(start, tmp_path, {"small": {"tokens-per-second": 200, "output-tokens": 20}, "medium": {"status": 503}, "*": {}})
    routes = auto_route() + [
        {"name": "small", "match": {"models": ["small"]}, "split": [{"backend": "a", "weight": 1}], "retry": {"attempts": 1}},
        {"name": "medium", "match": {"models": ["medium"]}, "split": [{"backend": "b", "weight": 1}], "retry": {"attempts": 1}},
    ]
    sidecar = start_sidecar(start, tmp_path, registry_backends(mock), routes)
    for _ in range(10):  # the minimum sample count of each figure
        streamed = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("small", stream=True)))
        assert streamed.status == 200 and b"[DONE]" in streamed.body
        assert request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("medium"))).status == 503
    explained = request(sidecar.addresses["admin"], post("/explain", chat_body("auto"))).json()
    by_model = {c["model"]: c for c in explained["auto"]["candidates"]}
    small, medium, large = by_model["small"], by_model["medium"], by_model["large"]
    assert small["attempts"] == 10 and small["errorRate"] == 0
    # 20 tokens at 200 a second: the first at once, 19 more in about 95 ms.
    assert 100 < small["outputTokensPerSecond"] < 400, small
    assert medium["attempts"] == 10 and medium["errorRate"] == 1 and medium["outputTokensPerSecond"] is None
    assert large["attempts"] == 0 and large["errorRate"] is None
