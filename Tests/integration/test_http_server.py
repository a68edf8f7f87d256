"""The inbound HTTP/1.1 server, exercised through sluice-mock (same server code) over raw sockets."""
import json
import signal
import socket
import threading
import time

import pytest

from conftest import Reader, chat_body, connect, poll_until, post, request
from sidecar import start_sidecar


def test_keep_alive_serves_1000_requests_on_one_connection(mock):
    sock = connect(mock.address)
    reader = Reader(sock)
    for i in range(1000):
        sock.sendall(post("/v1/chat/completions", chat_body(f"m{i % 7}")))
        response = reader.read_response()
        assert response.status == 200
        assert response.json()["object"] == "chat.completion"
    sock.close()
    stats = json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)
    assert stats["requests_total"] == 1000


def test_pipelined_requests_are_answered_in_order(mock):
    sock = connect(mock.address)
    burst = b"".join(post("/v1/chat/completions", chat_body(f"model-{i}")) for i in range(20))
    sock.sendall(burst)
    reader = Reader(sock)
    models = [reader.read_response().json()["model"] for _ in range(20)]
    assert models == [f"model-{i}" for i in range(20)]


def test_a_one_megabyte_chunked_body_is_received_whole(mock):
    text = "x" * (1 << 20)
    body = json.dumps({"model": "embed", "input": text}).encode()
    sock = connect(mock.address)
    sock.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
    for offset in range(0, len(body), 7777):
        piece = body[offset:offset + 7777]
        sock.sendall(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
    sock.sendall(b"0\r\nx-trailer: yes\r\n\r\n")
    response = Reader(sock).read_response()
    assert response.status == 200
    assert len(response.json()["data"]) == 1
    stats = json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)
    assert len(stats["last_request"]["body"]) == len(body)


def test_a_request_sent_one_byte_at_a_time_is_served(mock):
    sock = connect(mock.address)
    for byte in post("/v1/chat/completions", chat_body("slow-writer")):
        sock.send(bytes([byte]))
    assert Reader(sock).read_response().json()["model"] == "slow-writer"


def test_expect_100_continue_gets_an_interim_response(mock):
    sock = connect(mock.address)
    body = chat_body("expect")
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                 b"Content-Length: %d\r\n\r\n" % len(body))
    reader = Reader(sock)
    assert reader.read_until(b"\r\n\r\n").startswith(b"HTTP/1.1 100 Continue")
    sock.sendall(body)
    assert reader.read_response().json()["model"] == "expect"


def test_http_1_0_clients_get_their_answer_and_a_closed_connection(mock):
    sock = connect(mock.address)
    body = chat_body("old")
    sock.sendall(b"POST /v1/chat/completions HTTP/1.0\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    reader = Reader(sock)
    response = reader.read_response()
    assert response.status == 200 and response.json()["model"] == "old"
    assert reader.is_closed()


def test_connection_close_is_honoured(mock):
    sock = connect(mock.address)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    reader = Reader(sock)
    response = reader.read_response()
    assert response.header("connection") == "close"
    assert reader.is_closed()


MALFORMED = [
    ("bad request line", b"GET\r\n\r\n", 400, "bad_request"),
    ("unknown method", b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method_not_implemented"),
    ("http/2.0 over 1.1 framing", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "version_not_supported"),
    ("missing host", b"GET / HTTP/1.1\r\n\r\n", 400, None),
    ("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, None),
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, None),
    ("bare LF", b"GET / HTTP/1.1\nHost: x\n\n", 400, None),
    ("CL and TE together", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, None),
    ("differing content lengths", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, None),
    ("overflowing content length", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, None),
    ("bad chunk size", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, None),
    ("gzip transfer coding", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, None),
    ("body too large", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413, "body_too_large"),
    ("uri too long", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    ("header section too large", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n", 431, "header_too_large"),
    ("too many headers", b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(150)) + b"\r\n", 431, None),
]


@pytest.mark.parametrize("name,raw,status,code", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_requests_get_their_status_an_openai_error_and_a_closed_connection(mock, name, raw, status, code):
    sock = connect(mock.address)
    try:
        sock.sendall(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass
    reader = Reader(sock)
    response = reader.read_response()
    assert response.status == status, name
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    if code:
        assert error["code"] == code
    assert response.header("connection") == "close"
    assert reader.is_closed()


ANTHROPIC_PATH_MALFORMED = [
    ("body too large", b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", 413, "request_too_large"),
    ("header section too large", b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40000 + b"\r\n\r\n", 431, "invalid_request_error"),
    ("bad chunk in the body", b"POST /v1/messages?beta=true HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXY", 400, "invalid_request_error"),
    ("missing host", b"POST /v1/messages/count_tokens HTTP/1.1\r\n\r\n", 400, "invalid_request_error"),
]


@pytest.mark.parametrize("name,raw,status,kind", ANTHROPIC_PATH_MALFORMED, ids=[m[0] for m in ANTHROPIC_PATH_MALFORMED])
def test_the_sidecars_server_errors_on_anthropics_paths_come_in_anthropics_shape(start, tmp_path, name, raw, status, kind):
    sidecar = start_sidecar(start, tmp_path, [{"name": "b", "provider": "anthropic", "baseURL": "http://127.0.0.1:9/v1"}],
                            [{"name": "r", "split": [{"backend": "b", "weight": 1}]}])
    sock = connect(sidecar.addresses["app"])
    sock.sendall(raw)
    reader = Reader(sock)
    response = reader.read_response()
    assert response.status == status, name
    body = response.json()
    assert body["type"] == "error" and set(body["error"]) == {"type", "message"}, body
    assert body["error"]["type"] == kind
    assert response.header("connection") == "close"
    # The same request on an OpenAI path keeps OpenAI's shape.
    openai_raw = raw.replace(b"/v1/messages/count_tokens", b"/v1/chat/completions").replace(b"/v1/messages", b"/v1/chat/completions")
    sock = connect(sidecar.addresses["app"])
    sock.sendall(openai_raw)
    assert set(Reader(sock).read_response().json()["error"]) == {"message", "type", "param", "code"}


def test_a_body_timeout_on_anthropics_path_is_answered_in_anthropics_shape(start):
    server = start("sluice-mock", "--listen", "127.0.0.1:0", "--body-timeout", "200ms", "--header-timeout", "200ms")
    sock = connect(server.address)
    sock.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
    response = Reader(sock).read_response()
    assert response.status == 408
    assert response.json() == {"type": "error", "error": {"type": "invalid_request_error", "message": "the request was not received in time"}}
    # A head that never ends, once its request line names Anthropic's API, is answered the same way.
    sock = connect(server.address)
    sock.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\n")
    assert Reader(sock).read_response().json()["type"] == "error"
    sock = connect(server.address)
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")
    assert Reader(sock).read_response().json()["error"]["code"] == "request_timeout"


def test_slowloris_is_cut_off_by_the_header_timeout(start):
    server = start("sluice-mock", "--listen", "127.0.0.1:0", "--header-timeout", "300ms")
    sock = connect(server.address)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    began = time.monotonic()
    # Keep trickling header bytes: they must not extend the deadline.
    def trickle():
        try:
            for i in range(40):
                sock.send(b"X-%d: v\r\n" % i)
                time.sleep(0.05)  # lint: allow-sleep (the slow client under test, not a wait)
        except OSError:
            pass
    threading.Thread(target=trickle, daemon=True).start()
    response = Reader(sock).read_response()
    assert response.status == 408
    assert response.json()["error"]["code"] == "request_timeout"
    assert time.monotonic() - began < 1.9  # the trickle alone would have lasted 2 s


def test_an_idle_connection_with_no_request_is_closed(start):
    server = start("sluice-mock", "--listen", "127.0.0.1:0", "--header-timeout", "200ms")
    sock = connect(server.address)
    assert Reader(sock).is_closed(timeout=5)


def test_a_slow_sse_reader_does_not_grow_the_servers_memory(start):
    server = start("sluice-mock", "--listen", "127.0.0.1:0")
    baseline = server.rss_kb()
    sock = connect(server.address)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    # ~200,000 chunks of ~250 bytes: 50 MB if the server buffered what the client does not read.
    sock.sendall(post("/v1/chat/completions", chat_body("flood", stream=True),
                      headers=[("x-mock-output-tokens", "200000")]))
    received = 0
    for _ in range(40):
        received += len(sock.recv(1024))
        time.sleep(0.025)  # lint: allow-sleep (the slow reader under test, not a wait)
    growth_kb = server.rss_kb() - baseline
    assert received > 0
    assert growth_kb < 8 * 1024, f"RSS grew by {growth_kb} KiB while the client read slowly"
    sock.close()
    stats = poll_until(lambda: (s := json.loads(request(server.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body))
                       ["streams_aborted"] == 1 and s, message="the aborted stream to be counted")
    assert stats["streams_completed"] == 0


def test_sigterm_lets_a_running_stream_finish_and_refuses_new_connections(start):
    server = start("sluice-mock", "--listen", "127.0.0.1:0")
    sock = connect(server.address)
    sock.sendall(post("/v1/chat/completions", chat_body("drain", stream=True),
                      headers=[("x-mock-output-tokens", "30"), ("x-mock-tokens-per-second", "30")]))
    reader = Reader(sock)
    assert reader.read_until(b"\r\n\r\n").startswith(b"HTTP/1.1 200")
    reader.read_until(b"data: ")
    server.signal(signal.SIGTERM)
    poll_until(lambda: any('"draining"' in line for line in server.stderr_lines), message="the drain to start")
    with pytest.raises(ConnectionRefusedError):
        connect(server.address, timeout=2)
    rest = b""
    try:
        while b"data: [DONE]" not in rest:
            rest += reader.read_until(b"\n\n")
    except EOFError:
        pass
    assert b"data: [DONE]" in rest
    assert server.proc.wait(timeout=10) == 0
    assert any('"drained":true' in line for line in server.stderr_lines)


def test_a_burst_of_large_bodies_stays_within_the_buffer_budget_and_memory_returns(start, tmp_path):
    # Issue 14, part 5: fifty concurrent 7.5 MB bodies took a sidecar from 20 MB to a 754 MB
    # peak, and 391 MB stayed held. The budget answers the overflow with 503 and Retry-After,
    # and the memory goes back to the kernel once the burst is over.
    from sidecar import start_sidecar
    mock = start("sluice-mock", "--listen", "127.0.0.1:0")
    host, port = mock.address
    budget = 64 << 20
    sidecar = start_sidecar(start, tmp_path, [{"name": "m", "provider": "openai", "baseURL": f"http://{host}:{port}/v1"}],
                            [{"name": "r", "split": [{"backend": "m", "weight": 1}]}],
                            defaults={"maxRequestBodyBytes": 8 << 20, "maxBufferedBytes": budget})
    app = sidecar.addresses["app"]
    poll_until(lambda: request(app, post("/v1/chat/completions", chat_body("warm"))).status == 200, message="warm-up")
    baseline_kb = sidecar.rss_kb()
    padding = "x" * (7_500_000 - 200)
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": padding}]}).encode()
    statuses, peak_kb = [], [0]
    lock = threading.Lock()

    def one():
        sock = connect(app, timeout=60)
        try:
            sock.sendall(post("/v1/chat/completions", body))
            response = Reader(sock).read_response()
        except (BrokenPipeError, ConnectionResetError):
            # Refused early: the sidecar answered 503 and closed before reading the whole body.
            response = None
        finally:
            sock.close()
        with lock:
            statuses.append(response.status if response else "closed")
            if response and response.status == 503:
                assert response.header("retry-after") == "1"
                assert response.json()["error"]["code"] == "buffer_budget_exhausted"

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak_kb[0] = max(peak_kb[0], sidecar.rss_kb())
        threads[0].join(0.02)
    for thread in threads:
        thread.join()
    assert statuses.count(200) >= 1, statuses
    assert statuses.count(200) + statuses.count(503) + statuses.count("closed") == 50
    assert 503 in statuses or "closed" in statuses, "fifty 7.5 MB bodies cannot all fit a 64 MiB budget"
    growth_mb = (peak_kb[0] - baseline_kb) / 1024
    assert growth_mb < budget / (1 << 20) + 48, f"peak grew {growth_mb:.0f} MB over a 64 MiB budget"
    poll_until(lambda: sidecar.rss_kb() - baseline_kb < 24 * 1024, timeout=10, interval=0.2,
               message="the memory of the burst to be returned")
