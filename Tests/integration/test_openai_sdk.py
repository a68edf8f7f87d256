"""The official OpenAI Python SDK, pointed at the sidecar by base URL only."""
import openai
import pytest

from sidecar import mock_backend, start_sidecar


@pytest.fixture
def client(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock)], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
                            secrets={"mock-key": "sk-provider"})
    host, port = sidecar.addresses["app"]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-app-key", max_retries=0)


def test_the_sdk_gets_a_completion(client):
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
    assert completion.choices[0].message.content.startswith("Hello from sluice-mock")
    assert completion.usage.completion_tokens == 16


def test_the_sdk_streams_a_completion(client):
    stream = client.chat.completions.create(model="gpt-4o-mini", stream=True, messages=[{"role": "user", "content": "Hello"}],
                                            stream_options={"include_usage": True})
    text, usage = "", None
    for chunk in stream:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    assert text.startswith("Hello from sluice-mock")
    assert usage.completion_tokens == 16


def test_the_sdk_raises_its_own_error_types_for_sidecar_errors(client):
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("x") if False else client.post("/nope", cast_to=object)
