"""The response cache end to end: the official OpenAI SDK against the sidecar and sluice-mock.
A hit never reaches the mock (its request count says so); streams and JSON answers are
replayed in whichever form the SDK asks for."""
import json

import openai
import pytest

from conftest import poll_until, request
from sidecar import mock_backend, start_sidecar


def mock_requests(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)["requests_total"]


@pytest.fixture
def sidecar(start, mock, tmp_path):
    return start_sidecar(start, tmp_path, [mock_backend(mock)],
                         [{"name": "all", "split": [{"backend": "mock", "weight": 1}], "cache": {"ttl": "10m"}}],
                         secrets={"mock-key": "sk-provider"})


@pytest.fixture
def client(sidecar):
    host, port = sidecar.addresses["app"]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-app-key", max_retries=0)


def ask(client, content, stream=False, include_usage=False, model="gpt-4o-mini", **extra):
    """One deterministic request through the SDK: (x-sluice-cache, text, usage)."""
    options = {"stream_options": {"include_usage": True}} if include_usage else {}
    raw = client.chat.completions.with_raw_response.create(
        model=model, temperature=0, stream=stream, messages=[{"role": "user", "content": content}], **options, **extra)
    parsed = raw.parse()
    if not stream:
        return raw.headers.get("x-sluice-cache"), parsed.choices[0].message.content, parsed.usage
    text, usage = "", None
    for chunk in parsed:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    return raw.headers.get("x-sluice-cache"), text, usage


def test_a_repeated_request_is_answered_from_the_cache(client, mock):
    cache, text, usage = ask(client, "What can your product do?")
    assert cache == "miss"
    sent = mock_requests(mock)
    cache2, text2, usage2 = ask(client, "What can your product do?")
    assert (cache2, text2) == ("hit", text)
    assert usage2.completion_tokens == usage.completion_tokens, "the cached answer's usage"
    assert mock_requests(mock) == sent, "the hit never reached the provider"
    cache3, _, _ = ask(client, "What can your product do? Really?")
    assert cache3 == "miss", "another prompt, another entry"


def test_a_stored_stream_is_served_as_a_stream_and_as_json(client, mock):
    cache, streamed, _ = ask(client, "Stream me", stream=True)
    assert cache == "miss" and streamed
    sent = mock_requests(mock)
    cache, replayed, usage = ask(client, "Stream me", stream=True)
    assert (cache, replayed, usage) == ("hit", streamed, None), "no usage chunk unless asked"
    cache, _, usage = ask(client, "Stream me", stream=True, include_usage=True)
    assert cache == "hit" and usage.completion_tokens > 0
    cache, text, usage = ask(client, "Stream me")
    assert (cache, text) == ("hit", streamed)
    assert usage.completion_tokens > 0
    assert mock_requests(mock) == sent


def test_a_json_answer_is_served_as_a_stream(client, mock):
    cache, text, usage = ask(client, "Answer as JSON first")
    assert cache == "miss"
    sent = mock_requests(mock)
    cache, streamed, streamed_usage = ask(client, "Answer as JSON first", stream=True, include_usage=True)
    assert (cache, streamed) == ("hit", text)
    assert streamed_usage.completion_tokens == usage.completion_tokens
    assert mock_requests(mock) == sent


def test_control_headers_and_sampled_requests(client, mock):
    ask(client, "Control")
    sent = mock_requests(mock)
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", temperature=0, messages=[{"role": "user", "content": "Control"}],
                                                           extra_headers={"x-sluice-cache": "no-cache"})
    assert raw.headers.get("x-sluice-cache") == "bypass"
    assert mock_requests(mock) == sent + 1
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", temperature=0.7, messages=[{"role": "user", "content": "Control"}])
    assert raw.headers.get("x-sluice-cache") == "bypass", "not deterministic"
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="gpt-4o-mini", temperature=0, messages=[{"role": "user", "content": "Control"}],
                                       extra_headers={"x-sluice-cache": "perhaps"})
    assert error.value.code == "invalid_cache_header"


def test_hits_and_savings_are_in_the_metrics(client, sidecar):
    ask(client, "Count me")
    ask(client, "Count me")
    host, port = sidecar.addresses["metrics"]

    def scraped():
        text = request((host, port), b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
        return text if 'sluice_cache_results_total{route="all",tier="memory",result="hit"} 1' in text else None

    text = poll_until(scraped, message="the hit counted")
    assert 'sluice_cache_results_total{route="all",tier="memory",result="miss"} 1' in text
    assert 'sluice_cache_tokens_saved_total{route="all",type="completion"}' in text
    assert "sluice_cache_memory_entries 1" in text
