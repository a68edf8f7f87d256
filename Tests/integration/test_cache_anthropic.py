"""Anthropic `/v1/messages` answers in the response cache, through the official `anthropic`
SDK against the sidecar and sluice-mock's Anthropic API: a streamed message is stored and
replayed as Anthropic's events or as a message body, a message body is replayed as events,
each parsed by the SDK into the same message; tool calls are not stored unless allowed."""
import anthropic
import pytest

from sidecar import mock_backend, start_sidecar
from test_cache import mock_requests

PROMPT = [{"role": "user", "content": "What can your product do?"}]


@pytest.fixture
def client(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock, name="claude", provider="anthropic", key_file="anthropic-key")],
                            [{"name": "claude", "split": [{"backend": "claude", "weight": 1}], "cache": {"ttl": "10m"}}],
                            secrets={"anthropic-key": "sk-ant-provider"})
    host, port = sidecar.addresses["app"]
    return anthropic.Anthropic(base_url=f"http://{host}:{port}", api_key="sk-app", max_retries=0)


def create(client, messages=PROMPT, **extra):
    """A deterministic message as a body: (x-sluice-cache, message)."""
    raw = client.messages.with_raw_response.create(model="claude-haiku-4-5", max_tokens=64, messages=messages, extra_body={"temperature": 0}, **extra)
    return raw.headers.get("x-sluice-cache"), raw.parse()


def stream(client, messages=PROMPT, **extra):
    """A deterministic message as a stream: (x-sluice-cache, streamed text, final message)."""
    with client.messages.stream(model="claude-haiku-4-5", max_tokens=64, messages=messages, extra_body={"temperature": 0}, **extra) as events:
        text = "".join(events.text_stream)
        return events.response.headers.get("x-sluice-cache"), text, events.get_final_message()


def same(first, second):
    """The SDK parsed the same message (its streamed and its body classes differ: compare their fields)."""
    return first.model_dump() == second.model_dump()


def test_a_streamed_message_is_replayed_as_events_and_as_a_body(client, mock):
    cache, text, streamed = stream(client)
    assert cache == "miss" and text and streamed.stop_reason == "end_turn"
    sent = mock_requests(mock)
    cache, replayed_text, replayed = stream(client)
    assert (cache, replayed_text) == ("hit", text)
    assert same(replayed, streamed)
    cache, body = create(client)
    assert cache == "hit" and same(body, streamed)
    assert body.content[0].text == text
    assert mock_requests(mock) == sent, "no hit reached the provider"


def test_a_message_body_is_replayed_as_events(client, mock):
    prompt = [{"role": "user", "content": "Answer as a body first"}]
    cache, body = create(client, prompt)
    assert cache == "miss"
    sent = mock_requests(mock)
    cache, text, streamed = stream(client, prompt)
    assert (cache, text) == ("hit", body.content[0].text)
    assert same(streamed, body)
    assert mock_requests(mock) == sent


def test_a_streamed_tool_call_is_not_stored(client, mock):
    tools = [{"name": "weather", "description": "The weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    prompt = [{"role": "user", "content": "Weather in Paris?"}]
    headers = {"x-mock-tool-call": "weather"}
    cache, _, first = stream(client, prompt, tools=tools, extra_headers=headers)
    assert cache == "miss" and first.stop_reason == "tool_use"
    cache, _, _ = stream(client, prompt, tools=tools, extra_headers=headers)
    assert cache == "miss", "tool calls are stored only when the route allows them"

