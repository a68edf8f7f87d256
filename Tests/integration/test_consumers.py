"""Consumers (issue 16, local state): the official OpenAI SDK against a sidecar whose config
has consumers with keys in a kubelet-style secrets mount — 401, 403, 429 as the SDK's own
exceptions, the rate-limit headers, and key rotation without a restart."""
import json

import openai
import pytest

from conftest import poll_until, request
from kubelet import KubeletVolume
from sidecar import mock_backend

PROVIDER_KEY = {"mock-key": "sk-provider\n"}
KEYS = {"consumers/search/current": "sk-search-1\n", "consumers/search/next": "sk-search-2\n",
        "consumers/support/current": "sk-support\n"}


def config(mock):
    return json.dumps({
        "apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
        "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
        "backends": [mock_backend(mock)],
        "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
        "consumers": [
            {"name": "search", "keysDirectory": "consumers/search", "allowedModels": ["gpt-4o*"]},
            {"name": "support", "keysDirectory": "consumers/support", "rateLimits": {"requestsPerHour": 2}},
        ],
    })


@pytest.fixture
def gateway(start, mock, tmp_path):
    config_volume = KubeletVolume(str(tmp_path / "config"), {"config.json": config(mock)})
    secrets = KubeletVolume(str(tmp_path / "secrets"), {**PROVIDER_KEY, **KEYS})
    sidecar = start("sluice", "--config-dir", config_volume.path, "--secrets-dir", secrets.path, listeners=3)
    host, port = sidecar.addresses["app"]
    return sidecar, secrets, f"http://{host}:{port}/v1"


def client(base_url, key):
    return openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)


def ask(sdk, model="gpt-4o-mini"):
    return sdk.chat.completions.with_raw_response.create(model=model, messages=[{"role": "user", "content": "Hello"}])


def test_an_unknown_key_raises_authentication_error_with_the_message(gateway):
    _, _, url = gateway
    with pytest.raises(openai.AuthenticationError) as raised:
        ask(client(url, "sk-not-a-consumer"))
    assert raised.value.status_code == 401
    assert raised.value.code == "invalid_api_key"
    assert "the API key is not valid for this gateway" in raised.value.message


def test_a_model_outside_the_consumers_rights_raises_permission_denied(gateway):
    _, _, url = gateway
    assert ask(client(url, "sk-search-2")).parse().choices[0].message.content.startswith("Hello from sluice-mock")
    with pytest.raises(openai.PermissionDeniedError) as raised:
        ask(client(url, "sk-search-1"), model="deepseek-chat")
    assert raised.value.code == "model_not_allowed"
    assert 'consumer "search" may not use model "deepseek-chat"' in raised.value.message


def test_the_request_limit_raises_rate_limit_error_and_every_answer_carries_the_headers(gateway):
    sidecar, _, url = gateway
    sdk = client(url, "sk-support")
    first = ask(sdk)
    assert first.headers["x-ratelimit-limit-requests"] == "2"
    assert first.headers["x-ratelimit-remaining-requests"] == "1"
    assert first.headers["x-ratelimit-reset-requests"].endswith("s")
    ask(sdk)
    with pytest.raises(openai.RateLimitError) as raised:
        ask(sdk)
    assert raised.value.code == "rate_limit_exceeded"
    assert 'rate limit of 2 requests reached for consumer "support"' in raised.value.message
    headers = raised.value.response.headers
    # An hour, not a minute: three requests in a fixed window never straddle its end in practice.
    assert 1 <= int(headers["retry-after"]) <= 3600
    assert headers["x-ratelimit-remaining-requests"] == "0"

    def refusals_logged():
        lines = [json.loads(line) for line in list(sidecar.stdout_lines) if line.startswith("{")]
        return [line["consumer"] for line in lines if line.get("status") == 429]

    assert poll_until(refusals_logged, message="the access-log line of the refusal") == ["support"]
    # The admin listener shows the request window's count (a refusal is not counted).
    usage = request(sidecar.addresses["admin"], b"GET /consumers/support/usage HTTP/1.1\r\nHost: x\r\n\r\n").json()
    [window] = usage["requests"]
    assert (window["limit"], window["max"], window["used"], window["remaining"]) == ("requestsPerHour", 2, 2, 0)
    assert 1 <= window["resetsInSeconds"] <= 3600


def test_a_key_removed_from_the_secret_is_refused_without_a_restart(gateway):
    _, secrets, url = gateway
    assert ask(client(url, "sk-search-1")).http_response.status_code == 200
    rotated = {k: v for k, v in KEYS.items() if k != "consumers/search/current"}
    secrets.update({**PROVIDER_KEY, **rotated})

    def refused():
        try:
            ask(client(url, "sk-search-1"))
            return False
        except openai.AuthenticationError:
            return True

    poll_until(refused, timeout=10, message="the removed key to be refused")
    assert ask(client(url, "sk-search-2")).http_response.status_code == 200, "the other key keeps working"


def test_a_key_removed_from_a_consumers_own_secret_volume_is_refused_without_a_restart(start, mock, tmp_path):
    # The secrets directory holds the provider key; the consumer's Secret is a volume of its own
    # mounted below it, so kubelet's swap happens out of sight of the secrets directory's watch.
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "mock-key").write_text("sk-provider\n")
    search = KubeletVolume(str(secrets / "consumers" / "search"), {"current": "sk-search-1\n", "next": "sk-search-2\n"})
    KubeletVolume(str(secrets / "consumers" / "support"), {"current": "sk-support\n"})
    config_volume = KubeletVolume(str(tmp_path / "config"), {"config.json": config(mock)})
    sidecar = start("sluice", "--config-dir", config_volume.path, "--secrets-dir", str(secrets), listeners=3)
    host, port = sidecar.addresses["app"]
    url = f"http://{host}:{port}/v1"
    assert ask(client(url, "sk-search-1")).http_response.status_code == 200
    search.update({"next": "sk-search-2\n"})

    def refused():
        try:
            ask(client(url, "sk-search-1"))
            return False
        except openai.AuthenticationError:
            return True

    poll_until(refused, timeout=10, message="the key removed from the consumer's volume to be refused")
    assert ask(client(url, "sk-search-2")).http_response.status_code == 200


def test_the_anthropic_sdk_gets_each_refusal_in_anthropics_shape(gateway):
    """Claude-style tools send `x-api-key` to /v1/messages: the same 401, 403 and 429, as the
    anthropic SDK's own exceptions, with Anthropic's error body."""
    import anthropic

    _, _, url = gateway
    base = url[: -len("/v1")]

    def ask_claude(key, model="gpt-4o-mini"):
        sdk = anthropic.Anthropic(base_url=base, api_key=key, max_retries=0)
        return sdk.messages.create(model=model, max_tokens=32, messages=[{"role": "user", "content": "Hello"}])

    assert ask_claude("sk-search-1").content[0].text.startswith("Hello from sluice-mock")
    with pytest.raises(anthropic.AuthenticationError) as unknown:
        ask_claude("sk-not-a-consumer")
    assert unknown.value.status_code == 401
    assert unknown.value.body["type"] == "error" and unknown.value.body["error"]["type"] == "authentication_error"
    assert "the API key is not valid for this gateway" in unknown.value.body["error"]["message"]
    with pytest.raises(anthropic.PermissionDeniedError) as forbidden:
        ask_claude("sk-search-1", model="deepseek-chat")
    assert forbidden.value.body["error"]["type"] == "permission_error"
    assert 'consumer "search" may not use model "deepseek-chat"' in forbidden.value.body["error"]["message"]
    ask_claude("sk-support")
    ask_claude("sk-support")
    with pytest.raises(anthropic.RateLimitError) as limited:
        ask_claude("sk-support")
    assert limited.value.body["error"]["type"] == "rate_limit_error"
    assert 'rate limit of 2 requests reached for consumer "support"' in limited.value.body["error"]["message"]
    assert limited.value.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert int(limited.value.response.headers["retry-after"]) >= 1
