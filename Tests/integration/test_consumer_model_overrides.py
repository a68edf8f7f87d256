"""A consumer's per-model overrides (issue 16, ADR 0030): extra limits for the models a pattern
matches, counted on top of the consumer's — the official OpenAI SDK gets 429 for the override's
model while another model of the same consumer still passes, in process and with two sidecars
sharing the override through a real `redis-server` (strict: exactly the limit; sync: the
documented overshoot), the override's counters in the consumer's hash tag."""
import json
import time

import openai
import pytest

from conftest import chat_body, poll_until, post, request
from redis_servers import redis_server  # noqa: F401 (fixture)
from test_redis_tokens import KEY, start_team_gateway

SLOW_MACHINE = "2s"


def start_gateway(start, directory, mock, models, redis=None):
    """A sidecar with one consumer, `team` (600 requests a minute of its own), and `models` overrides."""
    team = {"allowedModels": ["gpt-4o*"], "rateLimits": {"requestsPerMinute": 600}, "models": models}
    return start_team_gateway(start, directory, mock, team, redis)


def sdk(sidecar):
    host, port = sidecar.addresses["app"]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key=KEY, max_retries=0)


def chat(client, model, output_tokens=10):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hello"}],
                                          extra_headers={"x-mock-output-tokens": str(output_tokens)})


def usage(sidecar):
    return request(sidecar.addresses["admin"], b"GET /consumers/team/usage HTTP/1.1\r\nHost: x\r\n\r\n").json()


def ask(sidecar, model):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body(model=model),
                                                  headers=[("Authorization", f"Bearer {KEY}")]))


def test_an_overrides_request_limit_raises_rate_limit_error_for_its_model_only(start, mock, tmp_path):
    sidecar = start_gateway(start, str(tmp_path), mock, [{"match": "gpt-4o", "rateLimits": {"requestsPerMinute": 2}}])
    client = sdk(sidecar)
    for _ in range(2):
        assert chat(client, "gpt-4o").choices[0].message.content
    with pytest.raises(openai.RateLimitError) as raised:
        chat(client, "gpt-4o")
    assert raised.value.code == "rate_limit_exceeded"
    assert 'rate limit of 2 requests reached for consumer "team" on models "gpt-4o"' in raised.value.message
    assert raised.value.response.headers["x-ratelimit-limit-requests"] == "2"
    assert 1 <= int(raised.value.response.headers["retry-after"]) <= 60
    answer = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert answer.http_response.status_code == 200, "another model of the same consumer still passes"
    assert answer.headers["x-ratelimit-limit-requests"] == "600", "counted by the consumer's window alone"
    requests = {entry["limit"]: entry for entry in usage(sidecar)["requests"]}
    assert requests["models[gpt-4o].requestsPerMinute"]["used"] == 2
    assert requests["requestsPerMinute"]["used"] == 4, "the consumer's window counted every request, the refused one too"


def test_an_overrides_quota_raises_insufficient_quota_and_is_read_reset_and_gauged_by_its_name(start, mock, tmp_path):
    sidecar = start_gateway(start, str(tmp_path), mock, [{"match": "gpt-4o", "quotas": {"tokensPerDay": 40}}])
    client = sdk(sidecar)
    chat(client, "gpt-4o", output_tokens=60)
    with pytest.raises(openai.RateLimitError) as raised:
        chat(client, "gpt-4o")
    assert raised.value.code == "insufficient_quota"
    assert 'the token quota of 40 tokens per day is used up for consumer "team" on models "gpt-4o"' in raised.value.message
    assert chat(client, "gpt-4o-mini").usage.completion_tokens == 10
    limits = {entry["limit"]: entry for entry in usage(sidecar)["limits"]}
    assert limits["models[gpt-4o].quotas.tokensPerDay"]["remaining"] == 0
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    assert 'sluice_consumer_limit_remaining{consumer="team",limit="models[gpt-4o].quotas.tokensPerDay"} 0' in metrics
    reset = request(sidecar.addresses["admin"], post("/consumers/team/usage/reset",
                                                     json.dumps({"limit": "models[gpt-4o].quotas.tokensPerDay"}).encode()))
    assert reset.status == 200
    assert chat(client, "gpt-4o").choices, "a reset gives the override's quota back"


def redis_counter(node, field):
    return int(node.cli("HGET", f"sluice:{{team}}:{field}", "c") or 0)


def test_strict_mode_two_sidecars_together_admit_exactly_the_overrides_limit(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "mode": "strict", "timeout": SLOW_MACHINE}
    models = [{"match": "gpt-4o", "rateLimits": {"requestsPerMinute": 5}}]
    gateways = [start_gateway(start, str(tmp_path / name), mock, models, settings) for name in ("a", "b")]
    statuses = [ask(gateways[i % 2], "gpt-4o").status for i in range(12)]
    assert statuses.count(200) == 5 and statuses.count(429) == 7, statuses
    assert all(ask(sidecar, "gpt-4o-mini").status == 200 for sidecar in gateways), "the consumer's other models still pass"
    # The override's counter sits in the consumer's hash tag, next to the consumer's own.
    # A refused increment adds nothing (ADR 0009): the override's counter holds what it admitted.
    assert redis_counter(redis_server, "models[gpt-4o].requestsPerMinute") == 5
    assert redis_counter(redis_server, "requestsPerMinute") == 14


def test_sync_mode_two_sidecars_share_the_override_within_the_documented_overshoot(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "mode": "sync", "syncInterval": "50ms", "timeout": SLOW_MACHINE}
    models = [{"match": "gpt-4o*", "rateLimits": {"requestsPerMinute": 6}}]
    gateways = [start_gateway(start, str(tmp_path / name), mock, models, settings) for name in ("a", "b")]
    statuses = []
    for i in range(20):
        statuses.append(ask(gateways[i % 2], "gpt-4o").status)
        time.sleep(0.01)  # lint: allow-sleep (paces the load: the overshoot depends on the request rate)
    admitted = statuses.count(200)
    print(f"sync mode, 2 sidecars, override requestsPerMinute 6, ~100 requests/s alternating, syncInterval 50ms: {admitted} admitted")
    # Each sidecar alone never passes its view; the other's admissions in one interval are invisible.
    assert 6 <= admitted <= 6 + 5, statuses
    poll_until(lambda: all(ask(sidecar, "gpt-4o-mini").status == 429 for sidecar in gateways),
               message="both sidecars refusing gpt-4o-mini too (the glob matches it)")
    poll_until(lambda: redis_counter(redis_server, "models[gpt-4o*].requestsPerMinute") >= admitted,
               message="the override's admissions pushed to its counter")
