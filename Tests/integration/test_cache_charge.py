"""What a cache hit costs a consumer (`cache.chargeHits`), through the official OpenAI SDK: a
consumer with a small daily token quota gets hit after hit for free by default; on a route that
charges hits, each hit is charged the stored answer's usage, and the quota runs out with the
SDK's 429 `insufficient_quota`."""
import openai
import pytest

from sidecar import mock_backend, start_sidecar
from test_cache import mock_requests

# The mock's answer to this prompt is 20 output tokens and 1 input token: a quota of 40 tokens
# has room left after one answer, none after one answer and one charged hit.
QUOTA = 40


@pytest.fixture
def client(start, mock, tmp_path):
    routes = [
        {"name": "charged", "match": {"model": {"exact": "gpt-4o"}}, "split": [{"backend": "mock", "weight": 1}],
         "cache": {"chargeHits": "usage"}},
        {"name": "free", "split": [{"backend": "mock", "weight": 1}], "cache": {}},
    ]
    extra = {"consumers": [{"name": "team", "keysDirectory": "consumers/team", "quotas": {"tokensPerDay": QUOTA}}]}
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock)], routes, extra=extra,
                            secrets={"mock-key": "sk-provider", "consumers/team/k": "sk-team\n"})
    host, port = sidecar.addresses["app"]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-team", max_retries=0)


def ask(client, model):
    raw = client.chat.completions.with_raw_response.create(
        model=model, temperature=0, messages=[{"role": "user", "content": "Hi"}], max_tokens=32,
        extra_headers={"x-mock-output-tokens": "20"})
    return raw.headers.get("x-sluice-cache"), raw.parse().usage


def test_hits_do_not_use_the_consumers_quota_by_default(client, mock):
    cache, usage = ask(client, "gpt-4o-mini")
    assert cache == "miss" and usage.total_tokens * 2 >= QUOTA > usage.total_tokens
    sent = mock_requests(mock)
    for _ in range(5):
        assert ask(client, "gpt-4o-mini")[0] == "hit"
    assert mock_requests(mock) == sent


def test_a_route_that_charges_hits_spends_the_quota_until_insufficient_quota(client, mock):
    cache, usage = ask(client, "gpt-4o")
    assert cache == "miss" and usage.total_tokens * 2 >= QUOTA > usage.total_tokens
    assert ask(client, "gpt-4o")[0] == "hit"
    with pytest.raises(openai.RateLimitError) as refused:
        ask(client, "gpt-4o")
    assert refused.value.code == "insufficient_quota"
    assert refused.value.response.headers["retry-after"]
