"""Provider translation (issue 19): the official SDKs of one API against a backend of the
other, plain, streaming and with a tool-call round trip, and a fallback chain that crosses
APIs within one request — sluice-mock speaking both."""
import json

import anthropic
import openai
import pytest

from conftest import request
from sidecar import start_sidecar

WEATHER_TOOL_OPENAI = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
WEATHER_TOOL_ANTHROPIC = {"name": "get_weather", "description": "The weather in a city.",
                          "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CALL_A_TOOL = {"x-mock-tool-call": "get_weather"}


def stats(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)


@pytest.fixture
def setup(start, tmp_path):
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"models": {"gpt-down": {"status": 503}}}))
    mock = start("sluice-mock", "--listen", "127.0.0.1:0", "--models", str(models))
    host, port = mock.address
    base = f"http://{host}:{port}/v1"
    backends = [
        {"name": "claude", "provider": "anthropic", "baseURL": base, "credentials": {"file": "anthropic-key"}},
        {"name": "openai", "provider": "openai", "baseURL": base, "credentials": {"file": "openai-key"}},
    ]
    routes = [
        {"name": "claude", "match": {"model": {"prefix": "claude-"}}, "split": [{"backend": "claude", "weight": 1}]},
        {"name": "down", "match": {"model": {"exact": "gpt-down"}}, "split": [{"backend": "openai", "weight": 1}],
         "fallback": {"chain": [{"backend": "claude", "model": "claude-haiku-4-5"}], "on": {"statuses": ["5xx"]}}},
        {"name": "rest", "split": [{"backend": "openai", "weight": 1}]},
    ]
    sidecar = start_sidecar(start, tmp_path, backends, routes,
                            secrets={"anthropic-key": "sk-ant-provider", "openai-key": "sk-openai-provider"})
    host, port = sidecar.addresses["app"]
    return sidecar, mock, f"http://{host}:{port}"


@pytest.fixture
def openai_client(setup):
    return openai.OpenAI(base_url=setup[2] + "/v1", api_key="sk-app", max_retries=0)


@pytest.fixture
def anthropic_client(setup):
    return anthropic.Anthropic(base_url=setup[2], api_key="sk-app", max_retries=0)


# The official OpenAI SDK against an Anthropic backend.

def test_the_openai_sdk_gets_a_completion_from_an_anthropic_backend(setup, openai_client):
    _, mock, _ = setup
    completion = openai_client.chat.completions.create(model="claude-haiku-4-5", messages=[
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}])
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.content.startswith("Hello from sluice-mock")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.completion_tokens == 16
    last = stats(mock)["last_request"]
    assert last["path"] == "/v1/messages"
    assert last["headers"]["x-api-key"] == "sk-ant-provider"
    assert last["headers"]["anthropic-version"] == "2023-06-01"
    assert "authorization" not in last["headers"]
    sent = json.loads(last["body"])
    assert sent["system"] == "Be brief." and sent["max_tokens"] == 4096


def test_the_openai_sdk_streams_from_an_anthropic_backend(openai_client):
    stream = openai_client.chat.completions.create(model="claude-haiku-4-5", stream=True, stream_options={"include_usage": True},
                                                   messages=[{"role": "user", "content": "Hello"}])
    text, usage, finish = "", None, None
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    assert text.startswith("Hello from sluice-mock")
    assert finish == "stop"
    assert usage.completion_tokens == 16


@pytest.mark.parametrize("stream", [False, True])
def test_the_openai_sdk_runs_a_tool_call_round_trip_on_an_anthropic_backend(openai_client, stream):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    kwargs = {"model": "claude-haiku-4-5", "tools": [WEATHER_TOOL_OPENAI], "extra_headers": CALL_A_TOOL}
    if stream:
        calls = {}
        for chunk in openai_client.chat.completions.create(messages=messages, stream=True, **kwargs):
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                entry = calls.setdefault(call.index, {"id": None, "name": None, "arguments": ""})
                entry["id"] = call.id or entry["id"]
                entry["name"] = (call.function.name if call.function else None) or entry["name"]
                entry["arguments"] += (call.function.arguments or "") if call.function else ""
        call = calls[0]
        tool_call = {"id": call["id"], "type": "function", "function": {"name": call["name"], "arguments": call["arguments"]}}
    else:
        first = openai_client.chat.completions.create(messages=messages, **kwargs)
        assert first.choices[0].finish_reason == "tool_calls"
        tool_call = first.choices[0].message.tool_calls[0].model_dump()
    assert tool_call["function"]["name"] == "get_weather"
    assert json.loads(tool_call["function"]["arguments"]) == {"city": "Paris"}
    messages += [{"role": "assistant", "content": None, "tool_calls": [tool_call]},
                 {"role": "tool", "tool_call_id": tool_call["id"], "content": "sunny, 21 °C"}]
    second = openai_client.chat.completions.create(messages=messages, **kwargs)
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.content.startswith("Hello from sluice-mock")


def test_an_openai_style_primary_falls_back_to_an_anthropic_backend_within_one_request(setup, openai_client):
    _, mock, _ = setup
    raw = openai_client.chat.completions.with_raw_response.create(model="gpt-down", messages=[{"role": "user", "content": "Hello"}])
    completion = raw.parse()
    assert raw.headers["x-sluice-backend"] == "claude"
    assert raw.headers["x-sluice-attempts"] == "2"
    assert completion.choices[0].message.content.startswith("Hello from sluice-mock")
    assert stats(mock)["by_path"]["/v1/messages"] == 1


def test_an_anthropic_error_reaches_the_openai_sdk_as_its_own_error_type(openai_client):
    with pytest.raises(openai.RateLimitError) as raised:
        openai_client.chat.completions.create(model="claude-haiku-4-5", messages=[{"role": "user", "content": "Hello"}],
                                              extra_headers={"x-mock-status": "429", "x-mock-retry-after": "7"})
    assert raised.value.response.headers["retry-after"] == "7"
    assert raised.value.body["type"] == "rate_limit_error"


# The official Anthropic SDK against an OpenAI-style backend.

def test_the_anthropic_sdk_gets_a_message_from_an_openai_style_backend(setup, anthropic_client):
    _, mock, _ = setup
    message = anthropic_client.messages.create(model="deepseek-chat", max_tokens=64, system="Be brief.",
                                               messages=[{"role": "user", "content": "Hello"}])
    assert message.type == "message"
    assert message.content[0].text.startswith("Hello from sluice-mock")
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 16
    last = stats(mock)["last_request"]
    assert last["path"] == "/v1/chat/completions"
    assert last["headers"]["authorization"] == "Bearer sk-openai-provider"
    assert "anthropic-version" not in last["headers"] and "x-api-key" not in last["headers"]
    assert json.loads(last["body"])["messages"][0] == {"role": "system", "content": "Be brief."}


def test_the_anthropic_sdk_streams_from_an_openai_style_backend(anthropic_client):
    with anthropic_client.messages.stream(model="deepseek-chat", max_tokens=64,
                                          messages=[{"role": "user", "content": "Hello"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.startswith("Hello from sluice-mock")
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == 16


@pytest.mark.parametrize("stream", [False, True])
def test_the_anthropic_sdk_runs_a_tool_call_round_trip_on_an_openai_style_backend(anthropic_client, stream):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    kwargs = {"model": "deepseek-chat", "max_tokens": 64, "tools": [WEATHER_TOOL_ANTHROPIC], "extra_headers": CALL_A_TOOL}
    if stream:
        with anthropic_client.messages.stream(messages=messages, **kwargs) as events:
            first = events.get_final_message()
    else:
        first = anthropic_client.messages.create(messages=messages, **kwargs)
    assert first.stop_reason == "tool_use"
    tool_use = next(block for block in first.content if block.type == "tool_use")
    assert tool_use.name == "get_weather" and tool_use.input == {"city": "Paris"}
    messages += [{"role": "assistant", "content": [block.model_dump() for block in first.content]},
                 {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "sunny, 21 °C"}]}]
    second = anthropic_client.messages.create(messages=messages, **kwargs)
    assert second.stop_reason == "end_turn"
    assert second.content[0].text.startswith("Hello from sluice-mock")


def test_the_anthropic_sdk_gets_the_sidecars_own_errors_in_anthropics_shape(anthropic_client):
    with pytest.raises(anthropic.BadRequestError) as raised:
        anthropic_client.messages.create(model="claude-haiku-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}],
                                         extra_body={"model": 7})
    assert raised.value.body == {"type": "error", "error": {"type": "invalid_request_error", "message": "model must be a string"}}


# GET /v1/models from the config.

def test_both_sdks_list_the_models_the_routes_serve_by_name(setup, openai_client, anthropic_client):
    _, mock, _ = setup
    # "claude-" is a prefix, not a name: only the exact match is listed.
    assert [model.id for model in openai_client.models.list()] == ["gpt-down"]
    assert [model.id for model in anthropic_client.models.list()] == ["gpt-down"]
    assert openai_client.models.retrieve("gpt-down").id == "gpt-down"
    with pytest.raises(anthropic.NotFoundError):
        anthropic_client.models.retrieve("claude-haiku-4-5")
    assert "/v1/models" not in stats(mock)["by_path"]


def test_the_anthropic_sdk_pages_through_a_long_model_list(start, tmp_path):
    names = [f"model-{i:02d}" for i in range(45)]
    backends = [{"name": "b", "provider": "openai", "baseURL": "http://127.0.0.1:9/v1", "models": {n: n for n in names}}]
    sidecar = start_sidecar(start, tmp_path, backends, [{"name": "r", "split": [{"backend": "b", "weight": 1}]}])
    host, port = sidecar.addresses["app"]
    client = anthropic.Anthropic(base_url=f"http://{host}:{port}", api_key="sk-app", max_retries=0)
    first = client.models.list()
    assert [m.id for m in first.data] == names[:20] and first.has_more
    assert [m.id for m in client.models.list()] == names  # the SDK follows has_more and last_id
    assert [m.id for m in client.models.list(limit=5, before_id="model-10").data] == names[5:10]
    with pytest.raises(anthropic.BadRequestError):
        client.models.list(limit=0)


# Azure OpenAI.

@pytest.fixture
def azure(start, tmp_path):
    mock = start("sluice-mock", "--listen", "127.0.0.1:0")
    host, port = mock.address
    backends = [{"name": "azure", "provider": "azure-openai", "baseURL": f"http://{host}:{port}", "credentials": {"file": "azure-key"},
                 "azure": {"apiVersion": "2024-10-21", "deployments": {"gpt-4o": "prod-gpt4o"}}}]
    sidecar = start_sidecar(start, tmp_path, backends, [{"name": "r", "split": [{"backend": "azure", "weight": 1}]}],
                            secrets={"azure-key": "azure-provider-key"})
    host, port = sidecar.addresses["app"]
    return mock, f"http://{host}:{port}"


def test_an_azure_backend_gets_its_deployment_url_and_api_key_header(azure):
    mock, base = azure
    client = openai.OpenAI(base_url=base + "/v1", api_key="sk-app", max_retries=0)
    completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hello"}])
    assert completion.choices[0].message.content.startswith("Hello from sluice-mock")
    last = stats(mock)["last_request"]
    assert last["target"] == "/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21"
    assert last["headers"]["api-key"] == "azure-provider-key"
    assert "authorization" not in last["headers"]


@pytest.mark.parametrize("stream", [False, True])
def test_azures_content_filter_reaches_both_sdks(azure, stream):
    _, base = azure
    filtered = {"x-mock-content-filter": "true"}
    client = openai.OpenAI(base_url=base + "/v1", api_key="sk-app", max_retries=0)
    if stream:
        finishes = [chunk.choices[0].finish_reason for chunk in client.chat.completions.create(
            model="gpt-4o", stream=True, messages=[{"role": "user", "content": "Hello"}], extra_headers=filtered) if chunk.choices]
        assert finishes[-1] == "content_filter"
    else:
        completion = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hello"}],
                                                    extra_headers=filtered)
        assert completion.choices[0].finish_reason == "content_filter"
    claude_client = anthropic.Anthropic(base_url=base, api_key="sk-app", max_retries=0)
    if stream:
        with claude_client.messages.stream(model="gpt-4o", max_tokens=64, messages=[{"role": "user", "content": "Hello"}],
                                           extra_headers=filtered) as events:
            message = events.get_final_message()
    else:
        message = claude_client.messages.create(model="gpt-4o", max_tokens=64, messages=[{"role": "user", "content": "Hello"}],
                                                extra_headers=filtered)
    assert message.stop_reason == "refusal"


# Several keys per backend.

@pytest.fixture
def keyed(start, tmp_path):
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"models": {"locked": {"required-key": "sk-good-0123456789"},
                                             "busy": {"status": 429, "retry-after": 30, "fail-first": 1}}}))
    mock = start("sluice-mock", "--listen", "127.0.0.1:0", "--models", str(models))
    host, port = mock.address
    backends = [{"name": "openai", "provider": "openai", "baseURL": f"http://{host}:{port}/v1",
                 "credentials": {"files": ["revoked-key", "good-key"]}}]
    sidecar = start_sidecar(start, tmp_path, backends, [{"name": "r", "split": [{"backend": "openai", "weight": 1}], "retry": {"attempts": 1}}],
                            secrets={"revoked-key": "sk-revoked-0123456789", "good-key": "sk-good-0123456789"})
    host, port = sidecar.addresses["app"]
    return sidecar, mock, openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-app", max_retries=0)


def metrics_text(sidecar):
    return request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()


def test_a_key_refused_with_401_is_set_aside_and_the_next_key_answers(keyed):
    sidecar, mock, client = keyed
    raw = client.chat.completions.with_raw_response.create(model="locked", messages=[{"role": "user", "content": "Hi"}])
    assert raw.parse().choices[0].message.content.startswith("Hello from sluice-mock")
    assert raw.headers["x-sluice-attempts"] == "2"
    assert stats(mock)["by_status"]["401"] == 1
    # The revoked key sits out its cooldown: the next requests go straight to the good one.
    for _ in range(3):
        raw = client.chat.completions.with_raw_response.create(model="locked", messages=[{"role": "user", "content": "Hi"}])
        assert raw.headers["x-sluice-attempts"] == "1"
    assert stats(mock)["by_status"]["401"] == 1
    text = metrics_text(sidecar)
    assert 'sluice_backend_keys_set_aside_total{backend="openai",key="0",reason="unauthorized"} 1' in text
    assert "sk-revoked" not in text and "sk-good" not in text


def test_a_key_refused_with_429_gives_way_to_the_next_before_any_backoff(keyed):
    sidecar, mock, client = keyed
    raw = client.chat.completions.with_raw_response.create(model="busy", messages=[{"role": "user", "content": "Hi"}])
    assert raw.parse().choices[0].finish_reason == "stop"
    assert raw.headers["x-sluice-attempts"] == "2"
    assert 'reason="rate_limited"} 1' in metrics_text(sidecar)
