"""The moderation hook's category thresholds and credentials (docs/guard.md), and the hook seen
through the official Anthropic SDK on /v1/messages: allowed, flagged prompt, flagged mid-stream,
service down with fail-closed."""
import json
import os
import subprocess

import anthropic
import openai
import pytest

from conftest import BIN_DIR, poll_until, request
from sidecar import mock_backend, write_config
from test_guard import ModerationStandIn, mock_stats, stream_text

MOD_KEY = "sk-moderation-7f3a"


class ScoringStandIn(ModerationStandIn):
    """A moderation service that scores: a text containing `hate=0.51` gets that hate score,
    one containing "violence" a violence score of 0.9; `flagged` and `categories` say what the
    service itself decides (its own threshold is 0.3), so a test can tell a rule's threshold
    from the service's verdict. With `key`, a call without `Authorization: Bearer <key>` (or
    `<header>: <key>`) gets a 401, as OpenAI answers."""

    def __init__(self, key=None, header="authorization"):
        self.key, self.header = key, header
        super().__init__()

    def respond(self, texts, headers):
        expected = f"Bearer {self.key}" if self.header == "authorization" else self.key
        if self.key and headers.get(self.header) != expected:
            return 401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
        results = []
        for text in texts:
            hate = max([float(w[len("hate="):]) for w in text.split() if w.startswith("hate=")] or [0.0])
            violence = 0.9 if "violence" in text else 0.01
            results.append({"flagged": hate > 0.3 or violence > 0.3, "categories": {"hate": hate > 0.3, "violence": violence > 0.3},
                            "category_scores": {"hate": hate, "violence": violence}})
        return 200, {"id": "modr-2", "model": "stand-in", "results": results}


def moderated_sidecar(start, mock, tmp_path, stand_in, hook, phase="request", secrets=None, provider="openai"):
    config_dir, secrets_dir = write_config(str(tmp_path), [mock_backend(mock, provider=provider)],
                                           [{"name": "chat", "split": [{"backend": "mock", "weight": 1}]}],
                                           secrets={"mock-key": "sk-provider", **(secrets or {})})
    path = os.path.join(config_dir, "config.json")
    with open(path) as f:
        config = json.load(f)
    rule = {"name": "moderation", "phase": phase, "moderation": {"url": stand_in.url, "timeout": "2s", "failMode": "closed", **hook},
            "action": "block", "message": "Flagged by moderation."}
    config["guards"] = [{"name": "moderated", "rules": [rule]}]
    with open(path, "w") as f:
        json.dump(config, f)
    server = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets_dir, "--workers", "1", listeners=3)
    host, port = server.addresses["app"]
    server.client = openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-app", max_retries=0)
    server.anthropic = anthropic.Anthropic(base_url=f"http://{host}:{port}", api_key="sk-app", max_retries=0)
    server.mock, server.stand_in, server.config_path = mock, stand_in, path
    return server


def ask(server, text):
    return server.client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])


def metrics_text(server):
    return request(server.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()


# -- category thresholds -----------------------------------------------------------------------

@pytest.fixture
def thresholds(start, mock, tmp_path):
    stand_in = ScoringStandIn()
    server = moderated_sidecar(start, mock, tmp_path, stand_in, {"thresholds": {"hate": 0.5}})
    yield server
    stand_in.close()


def test_a_score_just_under_the_threshold_passes_though_the_service_flagged_it(thresholds):
    completion = ask(thresholds, "hello hate=0.49 there")
    assert completion.model != "sluice-guard", "the rule's threshold, not the service's flagged, decides"
    assert mock_stats(thresholds.mock)["requests_total"] == 1


def test_a_score_just_over_the_threshold_is_blocked(thresholds):
    completion = ask(thresholds, "hello hate=0.51 there")
    assert completion.model == "sluice-guard"
    assert completion.choices[0].message.content == "Flagged by moderation."
    assert mock_stats(thresholds.mock)["requests_total"] == 0


def test_a_category_without_a_threshold_keeps_the_services_decision(thresholds):
    assert ask(thresholds, "some violence here").model == "sluice-guard"


# -- credentials -------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["authorization", "api-key"])
def test_the_key_file_reaches_the_service_in_the_configured_header(start, mock, tmp_path, header):
    stand_in = ScoringStandIn(key=MOD_KEY, header=header)
    try:
        server = moderated_sidecar(start, mock, tmp_path, stand_in, {"credentials": {"file": "moderation/key", "header": header}},
                                   secrets={"moderation/key": MOD_KEY + "\n"})
        completion = ask(server, "allow this")
        assert completion.model != "sluice-guard"
        expected = f"Bearer {MOD_KEY}" if header == "authorization" else MOD_KEY
        assert stand_in.headers[-1][header] == expected
        assert MOD_KEY not in "".join(server.stderr_lines), "the key is never logged"
        config_dump = request(server.addresses["admin"], b"GET /config HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
        assert MOD_KEY not in config_dump and "moderation/key" in config_dump
    finally:
        stand_in.close()


def test_a_service_that_refuses_a_call_without_its_key_fails_closed(start, mock, tmp_path):
    stand_in = ScoringStandIn(key=MOD_KEY)
    try:
        server = moderated_sidecar(start, mock, tmp_path, stand_in, {})
        completion = ask(server, "allow this")
        assert completion.choices[0].message.content == "Flagged by moderation."
        assert "authorization" not in stand_in.headers[-1]
        assert mock_stats(server.mock)["requests_total"] == 0
        assert 'sluice_guard_moderation_errors_total{guard="moderated",phase="request",kind="status"} 1' in metrics_text(server)
    finally:
        stand_in.close()


def test_a_missing_key_file_refuses_the_config_and_the_good_one_keeps_serving(start, mock, tmp_path):
    stand_in = ScoringStandIn(key=MOD_KEY)
    try:
        server = moderated_sidecar(start, mock, tmp_path, stand_in, {"credentials": {"file": "moderation/key"}},
                                   secrets={"moderation/key": MOD_KEY})
        with open(server.config_path) as f:
            config = json.load(f)
        config["guards"][0]["rules"][0]["moderation"]["credentials"]["file"] = "moderation/missing"
        candidate = tmp_path / "candidate.json"
        candidate.write_text(json.dumps(config))
        result = subprocess.run([os.path.join(BIN_DIR, "sluice"), "validate", str(candidate), "--secrets-dir", str(tmp_path / "secrets")],
                                capture_output=True, text=True)
        assert result.returncode == 1
        problem = 'guards[0].rules[0].moderation.credentials.file: \\"moderation/missing\\" does not exist in the secrets directory'
        assert problem.replace("\\", "") in result.stdout + result.stderr
        with open(server.config_path, "w") as f:
            json.dump(config, f)
        poll_until(lambda: any('"config_rejected"' in line and problem in line for line in server.stderr_lines),
                   message="the reload refused, naming the field")
        completion = ask(server, "allow this")
        assert completion.model != "sluice-guard", "the previous config, with its key, still serves"
        assert stand_in.headers[-1]["authorization"] == f"Bearer {MOD_KEY}"
    finally:
        stand_in.close()


# -- the Anthropic SDK on /v1/messages ---------------------------------------------------------

class AnthropicStandIn(ModerationStandIn):
    """Flags any text containing "awful" (prompt or answer); "allow" otherwise."""

    def decide(self, texts):
        return "block" if any("awful" in t for t in texts) else "allow"


@pytest.fixture
def anthropic_moderated(start, mock, tmp_path):
    stand_in = AnthropicStandIn()
    # An Anthropic backend: the SDK's stream passes through as Anthropic sent it.
    server = moderated_sidecar(start, mock, tmp_path, stand_in, {"streamWindow": 16}, phase="both", provider="anthropic")
    yield server
    stand_in.close()


def test_the_anthropic_sdk_gets_an_allowed_message_and_stream(anthropic_moderated):
    client = anthropic_moderated.anthropic
    message = client.messages.create(model="claude-sonnet-4", max_tokens=50, messages=[{"role": "user", "content": "hi"}],
                                     extra_headers={"x-mock-content": "a calm answer", "x-mock-output-tokens": "3"})
    assert message.model != "sluice-guard" and message.content[0].text.split() == ["a", "calm", "answer"]
    with client.messages.stream(model="claude-sonnet-4", max_tokens=50, messages=[{"role": "user", "content": "hi"}],
                                extra_headers={"x-mock-content": "a calm and pleasant answer about spring weather",
                                               "x-mock-output-tokens": "8", "x-mock-tokens-per-second": "50"}) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text.split() == "a calm and pleasant answer about spring weather".split()
    assert final.stop_reason == "end_turn"
    assert len(anthropic_moderated.stand_in.inputs) >= 3, "the prompt, then the answer in windows"


def test_the_anthropic_sdk_reads_a_flagged_prompt_as_a_normal_message(anthropic_moderated):
    message = anthropic_moderated.anthropic.messages.create(model="claude-sonnet-4", max_tokens=50,
                                                            messages=[{"role": "user", "content": "say something awful"}])
    assert message.model == "sluice-guard" and message.type == "message" and message.role == "assistant"
    assert message.content[0].text == "Flagged by moderation."
    assert message.usage.input_tokens == 0 and message.usage.output_tokens == 0
    assert mock_stats(anthropic_moderated.mock)["requests_total"] == 0


def test_the_anthropic_sdk_reads_a_flagged_prompt_as_a_normal_stream(anthropic_moderated):
    with anthropic_moderated.anthropic.messages.stream(model="claude-sonnet-4", max_tokens=50,
                                                       messages=[{"role": "user", "content": "say something awful"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Flagged by moderation." and final.model == "sluice-guard"


def test_an_answer_flagged_mid_stream_ends_cleanly_for_the_anthropic_sdk(anthropic_moderated):
    content = "the first part is fine and calm then awful words follow here"
    # Paced tokens, so the windows of text are moderated (and released) one after the other.
    headers = {"x-mock-content": content, "x-mock-output-tokens": "12", "x-mock-tokens-per-second": "50"}
    with anthropic_moderated.anthropic.messages.stream(model="claude-sonnet-4", max_tokens=50, messages=[{"role": "user", "content": "hi"}],
                                                       extra_headers=headers) as stream:
        events = list(stream)
        final = stream.get_final_message()
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    names = [e.type for e in events if e.type != "text"]
    assert names.count("content_block_start") == names.count("content_block_stop") == 2, "every block stops, as Anthropic's do"
    assert names[-2:] == ["message_delta", "message_stop"]
    assert text.endswith("Flagged by moderation.") and "awful" not in text
    released = text[:-len("Flagged by moderation.")]
    assert released.startswith("the first part") and content.startswith(released.rstrip())
    assert final.stop_reason == "refusal"
    assert final.content[-1].type == "text" and final.content[-1].text.endswith("Flagged by moderation.")


def test_a_moderation_service_that_is_down_fails_closed_for_the_anthropic_sdk(start, mock, tmp_path):
    stand_in = AnthropicStandIn()
    stand_in.close()  # nothing listens on its port any more
    server = moderated_sidecar(start, mock, tmp_path, stand_in, {}, phase="both", provider="anthropic")
    message = server.anthropic.messages.create(model="claude-sonnet-4", max_tokens=50, messages=[{"role": "user", "content": "hi"}])
    assert message.model == "sluice-guard" and message.content[0].text == "Flagged by moderation."
    assert mock_stats(server.mock)["requests_total"] == 0
    assert 'sluice_guard_moderation_errors_total{guard="moderated",phase="request",kind="connect"} 1' in metrics_text(server)
