"""What comes back from a provider (issue 14, part 4): responses a proxy must not pass on are
a 502 `upstream_invalid_response` at once; hop-by-hop fields stay on their hop; what the
sidecar reflects itself is capped. The provider is a raw socket (`raw_provider.py`)."""
import json

import pytest

from conftest import chat_body, post, request
from raw_provider import behind_raw_provider  # noqa: F401 — a fixture
from sidecar import mock_backend, start_sidecar

KEY = "sk-test-provider-key"
BODY = b'{"id":"x","object":"chat.completion","choices":[]}'


@pytest.fixture
def raw(behind_raw_provider):
    return lambda respond: behind_raw_provider(respond, KEY)


def answer(*fields, body=BODY, status="200 OK"):
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\n"
    return head.encode() + body


def ask(sidecar):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m")))


def metrics(sidecar):
    return request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()


def assert_invalid_response(response, sidecar, words):
    assert response.status == 502, response.body
    error = response.json()["error"]
    assert error["code"] == "upstream_invalid_response"
    assert error["type"] == "api_error"
    assert words in error["message"]
    assert 'sluice_upstream_errors_total{backend="raw",kind="invalid_response"} 1' in metrics(sidecar)


def test_fields_named_by_the_providers_connection_header_do_not_reach_the_client(raw):
    sidecar = raw(lambda head, body: answer(("Content-Type", "application/json"), ("Connection", "keep-alive, X-Hop"),
                                            ("X-Hop", "for-this-hop-only"), ("X-End", "end-to-end"),
                                            ("Content-Length", len(BODY))))
    response = ask(sidecar)
    assert response.status == 200
    assert response.header("x-end") == "end-to-end"
    assert response.header("x-hop") is None


@pytest.mark.parametrize("lengths", [(5, 10), (10, 5)], ids=["short-then-long", "long-then-short"])
def test_conflicting_content_lengths_from_the_provider_are_a_502_at_once(raw, lengths):
    # RFC 9112 §6.3: a proxy MUST answer 502, never wait for bytes that will not come (the
    # first order) and never deliver one of the readings (the second).
    first, second = lengths
    sidecar = raw(lambda head, body: answer(("Content-Type", "application/json"), ("Content-Length", first),
                                            ("Content-Length", second), body=b"12345"))
    assert_invalid_response(ask(sidecar), sidecar, f"conflicting Content-Length values ({first} and {second})")


def test_an_invalid_content_length_from_the_provider_is_a_502(raw):
    sidecar = raw(lambda head, body: answer(("Content-Length", "5x"), body=b"12345"))
    assert_invalid_response(ask(sidecar), sidecar, "invalid Content-Length")


def test_content_length_with_transfer_encoding_from_the_provider_is_a_502(raw):
    sidecar = raw(lambda head, body: answer(("Content-Length", "5"), ("Transfer-Encoding", "chunked"), body=b"5\r\n12345\r\n0\r\n\r\n"))
    assert_invalid_response(ask(sidecar), sidecar, "both Content-Length and Transfer-Encoding")


def test_more_than_100_header_fields_from_the_provider_are_a_502(raw):
    fields = [(f"X-F{i}", "v") for i in range(5000)]
    sidecar = raw(lambda head, body: answer(*fields, ("Content-Length", len(BODY))))
    assert_invalid_response(ask(sidecar), sidecar, "more than 100 header fields")


def test_a_provider_head_over_64_kib_is_a_502(raw):
    fields = [(f"X-F{i}", "v" * 1000) for i in range(80)]
    sidecar = raw(lambda head, body: answer(*fields, ("Content-Length", len(BODY))))
    assert_invalid_response(ask(sidecar), sidecar, "larger than 65536 bytes")


@pytest.mark.parametrize("size", [70 * 1024, 150 * 1024], ids=["under-libcurls-limit", "over-libcurls-limit"])
def test_one_oversized_provider_header_field_is_a_502_not_out_of_memory(raw, size):
    sidecar = raw(lambda head, body: answer(("X-Big", "v" * size), ("Content-Length", len(BODY))))
    response = ask(sidecar)
    assert_invalid_response(response, sidecar, "larger than")
    assert "memory" not in response.json()["error"]["message"].lower()


def test_a_70_kb_model_name_is_not_reflected_as_a_response_header(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock)], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
                            secrets={"mock-key": KEY})
    huge = "m" * (70 * 1024)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body(huge)))
    assert response.status == 200
    assert response.header("x-sluice-model") is None
    assert response.header("x-sluice-route") == "all"
    normal = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m" * 256)))
    assert normal.header("x-sluice-model") == "m" * 256
    assert json.loads(normal.body)["model"] == "m" * 256
