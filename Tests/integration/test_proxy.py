"""The proxy path (issue 3): the real sidecar in front of sluice-mock."""
import json
import re
import signal
import socket
import threading
import time

import pytest

from conftest import Reader, chat_body, connect, poll_until, post, request
from sidecar import mock_backend, start_sidecar

KEY = "sk-test-provider-key"


@pytest.fixture
def sidecar(start, mock, tmp_path):
    server = start_sidecar(start, tmp_path, [mock_backend(mock)], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
                           secrets={"mock-key": KEY + "\n"})
    server.mock = mock
    return server


def stats(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)


def app(sidecar):
    return sidecar.addresses["app"]


def test_a_completion_through_the_sidecar_equals_a_direct_one_byte_for_byte(sidecar):
    body = chat_body("gpt-4o-mini", temperature=0)
    direct = request(sidecar.mock.address, post("/v1/chat/completions", body))
    proxied = request(app(sidecar), post("/v1/chat/completions", body, headers=[("Authorization", "Bearer client-key")]))
    assert proxied.status == direct.status == 200
    assert proxied.body == direct.body
    assert proxied.header("x-sluice-route") == "all"
    assert proxied.header("x-sluice-backend") == "mock"
    assert proxied.header("x-sluice-model") == "gpt-4o-mini"
    assert proxied.header("x-request-id")
    seen = stats(sidecar.mock)["last_request"]["headers"]
    assert seen["authorization"] == "Bearer " + KEY, "the provider key replaces the client's"
    assert seen["x-request-id"] == proxied.header("x-request-id")


def test_a_stream_through_the_sidecar_equals_a_direct_one_byte_for_byte(sidecar):
    body = chat_body("gpt-4o-mini", stream=True, stream_options={"include_usage": True})
    direct = request(sidecar.mock.address, post("/v1/chat/completions", body))
    proxied = request(app(sidecar), post("/v1/chat/completions", body))
    assert proxied.status == 200
    assert proxied.header("content-type") == "text/event-stream"
    assert proxied.body == direct.body
    assert proxied.body.endswith(b"data: [DONE]\n\n")


def test_a_client_that_did_not_ask_for_usage_gets_the_stream_without_it(sidecar):
    # The sidecar asks the provider for the usage chunk (to count tokens) and removes it again.
    body = chat_body("gpt-4o-mini", stream=True)
    direct = request(sidecar.mock.address, post("/v1/chat/completions", body))
    proxied = request(app(sidecar), post("/v1/chat/completions", body))
    assert b'"usage"' not in direct.body
    # The mock derives `id` from the request body, which now carries include_usage: compare the rest.
    normalize = lambda body: re.sub(rb'"id":"chatcmpl-mock[0-9a-f]+"', b'"id":"X"', body)  # noqa: E731
    assert normalize(proxied.body) == normalize(direct.body)
    upstream = json.loads(stats(sidecar.mock)["last_request"]["body"])
    assert upstream["stream_options"] == {"include_usage": True}


def test_sse_chunks_reach_the_client_as_they_are_produced(sidecar):
    sock = connect(app(sidecar))
    began = time.monotonic()
    sock.sendall(post("/v1/chat/completions", chat_body("pace", stream=True),
                      headers=[("x-mock-output-tokens", "20"), ("x-mock-tokens-per-second", "20")]))
    reader = Reader(sock)
    reader.read_until(b"\r\n\r\n")
    arrivals = []
    while True:
        size = int(reader.read_until(b"\r\n")[:-2], 16)
        if size == 0:
            break
        reader.read_exact(size + 2)
        arrivals.append(time.monotonic() - began)
    # 20 tokens at 20/s take ~1 s; chunks arrive spread over that second, not in one burst.
    assert arrivals[-1] > 0.8
    assert arrivals[0] < arrivals[-1] / 3
    assert len(arrivals) >= 10


def test_200_concurrent_streams_all_complete(sidecar):
    results = []

    def one(i):
        try:
            r = request(app(sidecar), post("/v1/chat/completions", chat_body(f"c{i % 5}", stream=True),
                                           headers=[("x-mock-output-tokens", "20"), ("x-mock-tokens-per-second", "100")]))
            results.append(r.status == 200 and r.body.endswith(b"data: [DONE]\n\n"))
        except Exception as error:  # noqa: BLE001 — recorded as a failure below
            results.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results.count(True) == 200, [r for r in results if r is not True][:3]


def test_a_client_that_disconnects_mid_stream_cancels_the_upstream_transfer(sidecar):
    sock = connect(app(sidecar))
    sock.sendall(post("/v1/chat/completions", chat_body("leave", stream=True),
                      headers=[("x-mock-output-tokens", "1000"), ("x-mock-tokens-per-second", "50")]))
    reader = Reader(sock)
    reader.read_until(b"data: ")
    sock.close()
    poll_until(lambda: stats(sidecar.mock)["streams_aborted"] == 1, message="the mock to see the stream aborted")
    assert stats(sidecar.mock)["streams_completed"] == 0


def test_a_slow_reader_does_not_grow_the_sidecars_memory(sidecar):
    baseline = sidecar.rss_kb()
    sock = connect(app(sidecar))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(post("/v1/chat/completions", chat_body("flood", stream=True), headers=[("x-mock-output-tokens", "200000")]))
    for _ in range(40):
        sock.recv(1024)
        time.sleep(0.025)  # lint: allow-sleep (the slow reader under test, not a wait)
    growth_kb = sidecar.rss_kb() - baseline
    sock.close()
    # The full stream is ~50 MB; backpressure must hold the sidecar to its buffers.
    assert growth_kb < 8 * 1024, f"sidecar RSS grew by {growth_kb} KiB"


@pytest.mark.parametrize("status", [400, 404, 429, 500, 503])
def test_provider_errors_pass_through_unchanged(sidecar, status):
    body = chat_body("err")
    headers = [("x-mock-status", str(status)), ("x-mock-retry-after", "3")]
    direct = request(sidecar.mock.address, post("/v1/chat/completions", body, headers=headers))
    proxied = request(app(sidecar), post("/v1/chat/completions", body, headers=headers))
    assert proxied.status == direct.status == status
    assert proxied.body == direct.body
    assert proxied.header("retry-after") == "3"


def test_a_mid_stream_failure_ends_with_an_error_event_and_no_done(sidecar):
    response = request(app(sidecar), post("/v1/chat/completions", chat_body("cut", stream=True),
                                          headers=[("x-mock-reset", "mid"), ("x-mock-reset-after-tokens", "3")]))
    assert response.status == 200
    assert b"data: [DONE]" not in response.body
    last = response.body.strip().split(b"\n\n")[-1]
    assert last.startswith(b"event: error\ndata: ")
    error = json.loads(last.split(b"data: ", 1)[1])["error"]
    assert error["code"] == "upstream_broken"


def test_no_matching_route_is_a_404_with_an_openai_error(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock, key_file=None)],
                            [{"name": "only-gpt", "match": {"model": {"prefix": "gpt-"}}, "split": [{"backend": "mock", "weight": 1}]}])
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("claude-3")))
    assert response.status == 404
    assert response.json()["error"]["code"] == "no_route"


def test_an_unreachable_backend_is_a_502_with_an_openai_error(start, tmp_path):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    backend = {"name": "dead", "provider": "openai", "baseURL": f"http://127.0.0.1:{port}/v1"}
    sidecar = start_sidecar(start, tmp_path, [backend], [{"name": "all", "split": [{"backend": "dead", "weight": 1}]}])
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body()))
    assert response.status == 502
    error = response.json()["error"]
    assert error["code"] == "upstream_connect" and error["type"] == "api_error"
    assert response.header("x-sluice-backend") == "dead"


def test_a_first_byte_timeout_is_a_504(start, mock, tmp_path):
    backend = mock_backend(mock, key_file=None, timeouts={"firstByte": "200ms"})
    sidecar = start_sidecar(start, tmp_path, [backend], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}])
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body(), headers=[("x-mock-latency", "2s")]))
    assert response.status == 504
    assert response.json()["error"]["code"] == "upstream_first_byte_timeout"


def test_a_body_over_the_limit_is_a_413(start, mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path, [mock_backend(mock, key_file=None)],
                            [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
                            defaults={"maxRequestBodyBytes": 1024})
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", json.dumps({"model": "m", "x": "y" * 2000}).encode()))
    assert response.status == 413
    assert response.json()["error"]["code"] in ("request_too_large", "body_too_large")


def test_malformed_json_is_a_400(sidecar):
    response = request(app(sidecar), post("/v1/chat/completions", b'{"model": "m",'))
    assert response.status == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_the_models_list_is_answered_from_the_config_and_embeddings_pass_through(sidecar):
    response = request(app(sidecar), b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.status == 200 and response.json()["object"] == "list"
    assert response.header("x-sluice-backend") is None, "answered by the sidecar, not a backend"
    body = json.dumps({"model": "text-embedding-3-small", "input": ["a", "b"]}).encode()
    embedded = request(app(sidecar), post("/v1/embeddings", body))
    assert embedded.status == 200 and len(embedded.json()["data"]) == 2


def test_sigterm_drains_a_running_stream_through_the_sidecar(sidecar):
    sock = connect(app(sidecar))
    sock.sendall(post("/v1/chat/completions", chat_body("drain", stream=True),
                      headers=[("x-mock-output-tokens", "20"), ("x-mock-tokens-per-second", "20")]))
    reader = Reader(sock)
    reader.read_until(b"data: ")
    sidecar.signal(signal.SIGTERM)
    poll_until(lambda: request(sidecar.addresses["metrics"], b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").status == 503,
               timeout=5, message="readiness to go false while the stream drains")
    # Readiness goes false first, then the app listener stops accepting.
    def refused():
        try:
            connect(app(sidecar), timeout=2).close()
            return False
        except ConnectionRefusedError:
            return True
    poll_until(refused, timeout=5, message="new connections to be refused")
    rest = b""
    while b"data: [DONE]" not in rest:
        rest += reader.read_until(b"\n\n")
    assert sidecar.proc.wait(timeout=10) == 0


class SlowSocket:
    """A client that reads in small pieces through a small receive buffer, pausing now and then:
    the sidecar's socket to it fills again and again. (A 4 KiB buffer would do too, but on
    loopback its window meets delayed ACKs and the transfer crawls at ~40 KB/s, sidecar or not.)"""

    def __init__(self, sock):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
        self.sock, self.reads = sock, 0

    def recv(self, _size):
        self.reads += 1
        if self.reads % 64 == 0:
            time.sleep(0.002)  # lint: allow-sleep (the slow reader under test, not a wait)
        return self.sock.recv(1024)


def completion_tokens(sidecar):
    text = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").body.decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("sluice_tokens_total{") and 'type="completion"' in line)


@pytest.mark.parametrize("slow", [False, True], ids=["fast-reader", "slow-reader"])
@pytest.mark.parametrize("stream", [True, False], ids=["stream", "json"])
def test_a_multi_megabyte_answer_arrives_exactly_as_the_provider_sent_it(sidecar, stream, slow):
    # Issue 13: once the client's socket filled, bytes passed on before a pause were offered
    # again by libcurl on resume: a 20,000-token stream arrived with 64 extra events.
    extra = {"stream_options": {"include_usage": True}} if stream else {}
    body = chat_body("gpt-4o-mini", stream=stream, temperature=0, **extra)
    tokens = 60000 if stream else 300000
    headers = [("x-mock-output-tokens", str(tokens))]
    direct = request(sidecar.mock.address, post("/v1/chat/completions", body, headers=headers))
    assert len(direct.body) > 2_000_000, "big enough to fill every buffer on the way"
    before = completion_tokens(sidecar)
    sock = connect(app(sidecar))
    try:
        sock.sendall(post("/v1/chat/completions", body, headers=headers))
        reader = Reader(SlowSocket(sock) if slow else sock)
        proxied = reader.read_response()
    finally:
        sock.close()
    assert proxied.status == 200
    assert len(proxied.body) == len(direct.body)
    assert proxied.body == direct.body
    # Counted when the request ends, which can be just after its last byte reached the client.
    poll_until(lambda: completion_tokens(sidecar) - before >= tokens, message="the answer's usage to be counted")
    assert completion_tokens(sidecar) - before == tokens, "the answer's usage is counted exactly"


def test_concurrent_first_requests_to_a_fresh_http1_backend_all_reach_it_at_once(start, mock, tmp_path):
    # libcurl's PIPEWAIT holds a transfer back while the backend's first connection might still
    # turn out to multiplex; over clear-text HTTP/1.1 it never does, and the held transfers were
    # let go one per finished transfer — a burst of first requests ran one after another.
    server = start_sidecar(start, tmp_path, [mock_backend(mock)], [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
                           secrets={"mock-key": KEY + "\n"})
    sockets = []
    try:
        for i in range(6):
            sock = connect(app(server))
            sock.sendall(post("/v1/chat/completions", chat_body("slow", stream=True),
                              headers=[("x-mock-output-tokens", "60"), ("x-mock-tokens-per-second", "2")]))
            sockets.append(sock)
        poll_until(lambda: stats(mock)["streams_started"] == 6, message="six streams running at the mock together")
    finally:
        for sock in sockets:
            sock.close()
