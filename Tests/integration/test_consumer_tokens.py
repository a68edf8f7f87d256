"""Consumer token limits and quotas (issue 16, in-process): the official OpenAI SDK against a
sidecar whose consumers have token windows, token and spend quotas — the 429s as the SDK's own
exceptions with their codes and headers, a stream cut cleanly when its limit runs out, and an
untouched stream byte for byte."""
import json

import openai
import pytest

from conftest import poll_until, post, request
from kubelet import KubeletVolume
from sidecar import mock_backend

SECRETS = {"mock-key": "sk-provider\n", "consumers/window/k": "sk-window\n", "consumers/quota/k": "sk-quota\n",
           "consumers/budget/k": "sk-budget\n", "consumers/stream/k": "sk-stream\n", "consumers/roomy/k": "sk-roomy\n"}


def config(mock):
    return json.dumps({
        "apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
        "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
        "backends": [mock_backend(mock, prices={"gpt-4o-mini": {"input": 1, "output": 2}})],
        "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
        "consumers": [
            {"name": "window", "keysDirectory": "consumers/window",
             "rateLimits": {"tokensPerMinute": 100, "tokenCounting": "output"}},
            {"name": "quota", "keysDirectory": "consumers/quota", "quotas": {"tokensPerDay": 40}},
            {"name": "budget", "keysDirectory": "consumers/budget", "quotas": {"costPerMonth": 0.0001}},
            {"name": "stream", "keysDirectory": "consumers/stream",
             "rateLimits": {"tokensPerHour": 60, "tokenCounting": "output"}, "estimatedOutputTokens": 10},
            {"name": "roomy", "keysDirectory": "consumers/roomy", "rateLimits": {"tokensPerMinute": 1000000}},
        ],
    })


@pytest.fixture
def gateway(start, mock, tmp_path):
    config_volume = KubeletVolume(str(tmp_path / "config"), {"config.json": config(mock)})
    secrets = KubeletVolume(str(tmp_path / "secrets"), SECRETS)
    sidecar = start("sluice", "--config-dir", config_volume.path, "--secrets-dir", secrets.path, listeners=3)
    host, port = sidecar.addresses["app"]
    return sidecar, f"http://{host}:{port}/v1"


def client(base_url, key):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def ask(sdk, output_tokens=16, **extra):
    return sdk.chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}],
        extra_headers={"x-mock-output-tokens": str(output_tokens)}, **extra)


def test_a_token_window_reports_its_headers_and_raises_rate_limit_error_once_spent(gateway):
    _, url = gateway
    sdk = client(url, "sk-window")
    first = ask(sdk, output_tokens=150, max_tokens=500)
    assert first.http_response.status_code == 200, "admitted while tokens remain: the 500 reserved are trimmed to 100"
    assert first.headers["x-ratelimit-limit-tokens"] == "100"
    assert first.headers["x-ratelimit-remaining-tokens"] == "0"
    assert first.headers["x-ratelimit-reset-tokens"].endswith("s")
    assert first.parse().usage.completion_tokens == 150
    with pytest.raises(openai.RateLimitError) as raised:
        ask(sdk)
    assert raised.value.code == "rate_limit_exceeded"
    assert 'rate limit of 100 tokens per minute reached for consumer "window"' in raised.value.message
    headers = raised.value.response.headers
    assert 1 <= int(headers["retry-after"]) <= 60
    assert headers["x-ratelimit-remaining-tokens"] == "0"


@pytest.mark.parametrize("key,message", [
    ("sk-quota", 'the token quota of 40 tokens per day is used up for consumer "quota"'),
    ("sk-budget", 'the spend quota of 0.0001 USD per month is used up for consumer "budget"'),
])
def test_a_spent_quota_raises_rate_limit_error_with_insufficient_quota(gateway, key, message):
    _, url = gateway
    sdk = client(url, key)
    # 60 output tokens: 60 tokens, and 60 × 2 USD / 1M = 120 µUSD of spend.
    assert ask(sdk, output_tokens=60).http_response.status_code == 200
    with pytest.raises(openai.RateLimitError) as raised:
        ask(sdk)
    assert raised.value.code == "insufficient_quota"
    assert message in raised.value.message
    assert int(raised.value.response.headers["retry-after"]) >= 1


def test_a_stream_that_runs_out_of_tokens_ends_with_length_then_raises_the_error(gateway):
    sidecar, url = gateway
    sdk = client(url, "sk-stream")
    stream = sdk.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}], stream=True,
                                         extra_headers={"x-mock-output-tokens": "400", "x-mock-tokens-per-second": "2000"})
    chunks = []
    with pytest.raises(openai.APIError) as raised:
        for chunk in stream:
            chunks.append(chunk)
    assert chunks[-1].choices[0].finish_reason == "length", "the last chunk says why the answer stopped"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    # Paced, each provider chunk is one event: the cut comes with the first event past 60 × 4 bytes.
    assert 60 * 4 < len(text) <= 60 * 4 + 40, "cut at the limit, overshooting by one event"
    assert "the stream was cut: rate limit of 60 tokens per hour reached" in raised.value.message
    assert raised.value.body["code"] == "rate_limit_exceeded"
    with pytest.raises(openai.RateLimitError):
        ask(sdk)


def test_a_stream_within_its_limits_is_the_providers_stream_byte_for_byte(gateway, mock):
    sidecar, _ = gateway
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}], "stream": True,
                       "stream_options": {"include_usage": True}}).encode()
    headers = [("x-mock-output-tokens", "300")]
    proxied = request(sidecar.addresses["app"], post("/v1/chat/completions", body,
                                                     headers=headers + [("authorization", "Bearer sk-roomy")]))
    direct = request(mock.address, post("/v1/chat/completions", body, headers=headers))
    assert proxied.status == direct.status == 200
    assert proxied.header("x-ratelimit-limit-tokens") == "1000000"
    assert proxied.body == direct.body


def admin(sidecar, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    head = f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n\r\n"
    response = request(sidecar.addresses["admin"], head.encode() + data)
    return response.status, response.json()


def test_the_admin_listener_reads_resets_and_adjusts_a_consumers_usage(gateway):
    sidecar, url = gateway
    sdk = client(url, "sk-quota")
    ask(sdk, output_tokens=60)
    # A request is settled when it ends, which can be just after its last byte reached the client.
    usage = poll_until(lambda: (lambda u: u if u["limits"][0]["used"] > 40 else None)(admin(sidecar, "GET", "/consumers/quota/usage")[1]),
                       message="the request to be settled")
    [day] = usage["limits"]
    assert usage["consumer"] == "quota" and day["limit"] == "quotas.tokensPerDay" and day["max"] == 40
    assert day["used"] > 60 and day["remaining"] == 0 and 0 < day["resetsInSeconds"] <= 86400
    with pytest.raises(openai.RateLimitError):
        ask(sdk)

    status, usage = admin(sidecar, "POST", "/consumers/quota/usage/adjust", {"limit": "quotas.tokensPerDay", "delta": -1000})
    assert status == 200 and usage["limits"][0]["used"] == 0, "given back, never below zero"
    assert ask(sdk, output_tokens=1).http_response.status_code == 200

    admin(sidecar, "POST", "/consumers/quota/usage/adjust", {"limit": "quotas.tokensPerDay", "delta": 40})
    with pytest.raises(openai.RateLimitError):
        ask(sdk)
    status, usage = admin(sidecar, "POST", "/consumers/quota/usage/reset")
    assert status == 200 and usage["limits"][0]["used"] == 0
    assert ask(sdk, output_tokens=1).http_response.status_code == 200

    status, budget = admin(sidecar, "POST", "/consumers/budget/usage/adjust", {"limit": "quotas.costPerMonth", "delta": 0.00005})
    assert status == 200 and budget["limits"][0] == {"limit": "quotas.costPerMonth", "max": 0.0001, "used": 5e-05,
                                                      "remaining": 5e-05, "currency": "USD",
                                                      "resetsInSeconds": budget["limits"][0]["resetsInSeconds"]}
    status, everyone = admin(sidecar, "GET", "/consumers")
    assert status == 200 and [c["consumer"] for c in everyone["consumers"]] == ["window", "quota", "budget", "stream", "roomy"]

    assert admin(sidecar, "GET", "/consumers/nobody/usage")[0] == 404
    status, error = admin(sidecar, "POST", "/consumers/quota/usage/adjust", {"limit": "tokensPerMinute", "delta": 5})
    assert status == 400 and 'consumer "quota" has no limit "tokensPerMinute"' in error["error"]["message"]
