"""Secrets files (issue 14, part 3): a key file must lie inside the secrets directory (through
Kubernetes' own `..data` links, not through a link out of it), must be one line of printable
ASCII, and a provider that echoes the key never hands it to the app."""
import json
import os
import subprocess

import pytest

from conftest import BIN_DIR, chat_body, poll_until, post, request
from kubelet import KubeletVolume, Link
from raw_provider import behind_raw_provider  # noqa: F401 — a fixture
from sidecar import mock_backend, write_config

KEY = "sk-proj-a1b2c3d4e5f6g7h8i9j0"


def validate(config_dir, secrets_dir):
    return subprocess.run([os.path.join(BIN_DIR, "sluice"), "validate", os.path.join(config_dir, "config.json"),
                           "--secrets-dir", secrets_dir], capture_output=True, text=True)


def config_for(mock, key_file):
    return [mock_backend(mock, key_file=key_file)], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}]


def stats(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)


def admin_config(sidecar):
    return json.loads(request(sidecar.addresses["admin"], b"GET /config HTTP/1.1\r\nHost: x\r\n\r\n").body)


def test_validate_rejects_a_key_file_reached_through_a_link_out_of_the_secrets_directory(mock, tmp_path):
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "hostname").write_text("not-a-key-but-readable\n")
    backends, routes = config_for(mock, "dir_out/hostname")
    config_dir, secrets_dir = write_config(str(tmp_path), backends, routes)
    os.symlink(str(outside), os.path.join(secrets_dir, "dir_out"))
    result = validate(config_dir, secrets_dir)
    assert result.returncode == 1, result.stdout
    assert "backends[0].credentials.file" in result.stdout
    assert "dir_out/hostname" in result.stdout
    assert "outside the secrets directory" in result.stdout
    assert "not-a-key-but-readable" not in result.stdout


def test_kubernetes_data_links_and_a_linked_secrets_directory_are_followed(mock, tmp_path):
    volume = KubeletVolume(str(tmp_path / "volume"), {"key": KEY + "\n"})
    linked = tmp_path / "secrets-link"
    os.symlink(volume.path, str(linked))
    backends, routes = config_for(mock, "key")
    config_dir, _ = write_config(str(tmp_path), backends, routes)
    result = validate(config_dir, str(linked))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("content", ["sk-line1\r\nX-Injected: yes", "sk-line1\nX-Injected: yes", "sk-nul\x00tail", "sk-tab\there",
                                     "sk-escape\x1b[0m"], ids=["crlf", "lf", "nul", "tab", "escape"])
def test_validate_rejects_a_key_file_with_a_control_character_inside(mock, tmp_path, content):
    backends, routes = config_for(mock, "key")
    config_dir, secrets_dir = write_config(str(tmp_path), backends, routes, secrets={"key": content})
    result = validate(config_dir, secrets_dir)
    assert result.returncode == 1, result.stdout
    assert "backends[0].credentials.file" in result.stdout and "control character" in result.stdout
    assert "X-Injected" not in result.stdout and "sk-" not in result.stdout.split("control character")[1]


def test_a_key_file_ending_in_a_newline_is_still_accepted(mock, tmp_path):
    backends, routes = config_for(mock, "key")
    config_dir, secrets_dir = write_config(str(tmp_path), backends, routes, secrets={"key": KEY + "\r\n"})
    assert validate(config_dir, secrets_dir).returncode == 0


@pytest.fixture
def mounted(start, mock, tmp_path):
    """A sidecar whose secrets directory is a kubelet-style volume holding `key`."""
    secrets = KubeletVolume(str(tmp_path / "secrets"), {"key": KEY + "\n"})
    backends, routes = config_for(mock, "key")
    config_dir, _ = write_config(str(tmp_path), backends, routes)
    sidecar = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets.path, "--no-access-log", listeners=3)
    return sidecar, secrets, mock


def provider_saw(sidecar, mock):
    assert request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m"))).status == 200
    return stats(mock)["last_request"]["headers"]


def test_a_reload_with_a_key_holding_a_line_break_is_rejected_and_the_old_key_keeps_serving(mounted):
    sidecar, secrets, mock = mounted
    assert provider_saw(sidecar, mock)["authorization"] == "Bearer " + KEY
    secrets.update({"key": "sk-line1\r\nX-Injected: yes"})
    state = poll_until(lambda: (d := admin_config(sidecar))["lastError"] and d, message="the bad key to be rejected")
    assert "credentials.file" in state["lastError"] and "control character" in state["lastError"]
    seen = provider_saw(sidecar, mock)
    assert seen["authorization"] == "Bearer " + KEY
    assert "x-injected" not in seen


def test_a_reload_that_links_the_key_out_of_the_secrets_directory_is_rejected_and_the_old_key_keeps_serving(mounted, tmp_path):
    sidecar, secrets, mock = mounted
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "hostname").write_text("sluice-host\n")
    # An update whose `..data` directory holds the key as a link out of the volume.
    secrets.update({"key": Link(str(outside / "hostname"))})
    state = poll_until(lambda: (d := admin_config(sidecar))["lastError"] and d, message="the link out to be rejected")
    assert "outside the secrets directory" in state["lastError"]
    assert provider_saw(sidecar, mock)["authorization"] == "Bearer " + KEY


@pytest.fixture
def echoing(behind_raw_provider):
    """A sidecar in front of a provider that echoes the key it received in an error."""
    return lambda respond: behind_raw_provider(respond, KEY)


def received_key(head):
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"authorization:"):
            return line.split(b"Bearer ", 1)[1]
    return b""


def test_a_provider_error_that_echoes_the_key_reaches_the_app_masked(echoing):
    def respond(head, body):
        key = received_key(head)
        text = b'{"error":{"message":"Incorrect API key provided: ' + key + b'","code":"invalid_api_key"}}'
        return (b"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nX-Echo: Bearer " + key
                + b"\r\nContent-Length: " + str(len(text)).encode() + b"\r\n\r\n" + text)

    sidecar = echoing(respond)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m")))
    assert response.status == 401
    assert KEY.encode() not in response.body
    assert KEY not in response.header("x-echo")
    masked = "*" * len(KEY)
    assert response.json()["error"]["message"] == "Incorrect API key provided: " + masked
    assert response.header("x-echo") == "Bearer " + masked


def test_a_key_echoed_across_chunk_boundaries_is_masked_too(echoing):
    def respond(head, body):
        key = received_key(head)
        text = b"error: " + key + b" and again " + key + b" and a near miss " + key[:-1] + b"!"
        # Chunks of 5 bytes: the key spans several of them, so it arrives in pieces.
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(text[i:i + 5]), text[i:i + 5]) for i in range(0, len(text), 5))
        return b"HTTP/1.1 500 Internal Server Error\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"

    sidecar = echoing(respond)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m")))
    assert response.status == 500
    assert KEY.encode() not in response.body
    # A plain-text error on a chat path reaches an OpenAI client in OpenAI's shape (docs/errors.md),
    # its text kept: masked before it was rewritten.
    masked = "*" * len(KEY)
    assert response.json()["error"]["message"] == "error: " + masked + " and again " + masked + " and a near miss " + KEY[:-1] + "!"
