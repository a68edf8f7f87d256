"""Translated answers in the response cache: the official `openai` SDK against an Anthropic
backend and the official `anthropic` SDK against an OpenAI-style backend (sluice-mock speaks
both). What the client got — in its own API — is stored, and replayed as a stream or as a
body, whichever the next request asks for, without reaching the provider."""
import anthropic
import openai
import pytest

from sidecar import start_sidecar
from test_cache import ask, mock_requests


@pytest.fixture
def base_url(start, mock, tmp_path):
    host, port = mock.address
    backends = [
        {"name": "claude", "provider": "anthropic", "baseURL": f"http://{host}:{port}/v1", "credentials": {"file": "anthropic-key"}},
        {"name": "openai", "provider": "openai", "baseURL": f"http://{host}:{port}/v1", "credentials": {"file": "openai-key"}},
    ]
    routes = [
        {"name": "claude", "match": {"model": {"prefix": "claude-"}}, "split": [{"backend": "claude", "weight": 1}], "cache": {}},
        {"name": "rest", "split": [{"backend": "openai", "weight": 1}], "cache": {}},
    ]
    sidecar = start_sidecar(start, tmp_path, backends, routes,
                            secrets={"anthropic-key": "sk-ant-provider", "openai-key": "sk-openai-provider"})
    host, port = sidecar.addresses["app"]
    return f"http://{host}:{port}"


def ask_openai(client, content, stream=False, include_usage=False):
    """An OpenAI chat request for the Anthropic backend: (x-sluice-cache, text, usage)."""
    return ask(client, content, stream=stream, include_usage=include_usage, model="claude-haiku-4-5")


def test_an_openai_client_on_an_anthropic_backend_is_answered_from_the_cache(base_url, mock):
    client = openai.OpenAI(base_url=base_url + "/v1", api_key="sk-app", max_retries=0)
    cache, text, _ = ask_openai(client, "Stream me from Claude", stream=True)
    assert cache == "miss" and text.startswith("Hello from sluice-mock")
    sent = mock_requests(mock)
    assert ask_openai(client, "Stream me from Claude", stream=True) == ("hit", text, None), "no usage chunk unless asked"
    cache, replayed, usage = ask_openai(client, "Stream me from Claude", stream=True, include_usage=True)
    assert (cache, replayed, usage.completion_tokens) == ("hit", text, 16)
    cache, body, usage = ask_openai(client, "Stream me from Claude")
    assert (cache, body, usage.completion_tokens) == ("hit", text, 16)
    assert mock_requests(mock) == sent, "no hit reached the provider"
    cache, body, _ = ask_openai(client, "A body from Claude")
    assert cache == "miss"
    assert ask_openai(client, "A body from Claude", stream=True)[:2] == ("hit", body)


def test_an_anthropic_client_on_an_openai_backend_is_answered_from_the_cache(base_url, mock):
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-app", max_retries=0)
    prompt = [{"role": "user", "content": "A message from an OpenAI model"}]
    raw = client.messages.with_raw_response.create(model="gpt-4o-mini", max_tokens=64, messages=prompt, extra_body={"temperature": 0})
    first = raw.parse()
    assert raw.headers.get("x-sluice-cache") == "miss" and first.content[0].text.startswith("Hello from sluice-mock")
    sent = mock_requests(mock)
    with client.messages.stream(model="gpt-4o-mini", max_tokens=64, messages=prompt, extra_body={"temperature": 0}) as events:
        text = "".join(events.text_stream)
        assert events.response.headers.get("x-sluice-cache") == "hit"
        streamed = events.get_final_message()
    assert text == first.content[0].text
    assert streamed.model_dump() == first.model_dump()
    raw = client.messages.with_raw_response.create(model="gpt-4o-mini", max_tokens=64, messages=prompt, extra_body={"temperature": 0})
    assert raw.headers.get("x-sluice-cache") == "hit" and raw.parse().model_dump() == first.model_dump()
    assert mock_requests(mock) == sent, "no hit reached the provider"
