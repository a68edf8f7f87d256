"""Shared helpers for the integration suite: start the real binaries on port 0,
read the `listening` events they print, talk raw HTTP/1.1 over sockets."""
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time

import pytest

BIN_DIR = os.environ.get("SLUICE_BIN_DIR") or os.path.join(os.path.dirname(__file__), "../../.build/debug")
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def poll_until(condition, timeout=10.0, interval=0.01, message="condition"):
    """Polls `condition` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)  # lint: allow-sleep (yields between polls of a deadline-bounded wait)


class Server:
    """A running binary. `addresses` maps listener name → (host, port) from its events."""

    def __init__(self, name, args, env=None, listeners=1):
        self.argv = [os.path.join(BIN_DIR, name)] + list(args)
        # Loopback tests never go through a proxy the machine happens to have configured.
        base = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env={**base, **(env or {})})
        self.stderr_lines = []
        self.stdout_lines = []
        self.events = queue.Queue()
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr_lines, True), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout_lines, False), daemon=True)]
        for r in self._readers:
            r.start()
        self.addresses = {}
        deadline = time.monotonic() + 20
        while len(self.addresses) < listeners:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.proc.poll() is not None:
                raise AssertionError(f"{name} did not start: {self.stderr_lines[-20:]}")
            try:
                event = self.events.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                continue
            if event.get("event") == "listening":
                host, port = event["address"].rsplit(":", 1)
                self.addresses[event["name"]] = (host, int(port))

    def _read(self, stream, sink, parse_events):
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            sink.append(line)
            if parse_events and line.startswith("{"):
                try:
                    self.events.put(json.loads(line))
                except ValueError:
                    pass

    @property
    def address(self):
        return next(iter(self.addresses.values()))

    def url(self, listener=None):
        host, port = self.addresses[listener] if listener else self.address
        return f"http://{host}:{port}"

    @property
    def pid(self):
        return self.proc.pid

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for r in self._readers:
            r.join(timeout=2)


@pytest.fixture
def start():
    """Starts binaries for one test and stops them after it."""
    started = []

    def _start(name, *args, env=None, listeners=1):
        server = Server(name, args, env=env, listeners=listeners)
        started.append(server)
        return server

    yield _start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def mock(start):
    return start("sluice-mock", "--listen", "127.0.0.1:0")


def connect(address, timeout=10):
    sock = socket.create_connection(address, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class Response:
    def __init__(self, status, reason, headers, body, version):
        self.status, self.reason, self.headers, self.body, self.version = status, reason, headers, body, version

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)


class Reader:
    """Reads HTTP/1.1 responses from a socket, keeping leftovers between responses."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        self.buffer += chunk

    def read_until(self, marker):
        while marker not in self.buffer:
            self._fill()
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def read_exact(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_response(self, head_request=False):
        while True:
            head = self.read_until(b"\r\n\r\n").decode("latin-1")
            lines = head.split("\r\n")
            version, status, *reason = lines[0].split(" ", 2)
            headers = [tuple(p.strip() for p in line.split(":", 1)) for line in lines[1:] if line]
            if int(status) >= 200:
                break
        response = Response(int(status), reason[0] if reason else "", headers, b"", version)
        if head_request or response.status in (204, 304):
            return response
        length = response.header("content-length")
        if response.header("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self.read_until(b"\r\n")[:-2].split(b";")[0], 16)
                if size == 0:
                    self.read_until(b"\r\n")
                    break
                body += self.read_exact(size)
                self.read_exact(2)
            response.body = body
        elif length is not None:
            response.body = self.read_exact(int(length))
        else:
            try:
                while True:
                    self._fill()
            except EOFError:
                pass
            response.body, self.buffer = self.buffer, b""
        return response

    def is_closed(self, timeout=5):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b"" and not self.buffer
        except ConnectionResetError:
            return True


def request(address, raw):
    """Sends raw bytes on a new connection and reads one response."""
    sock = connect(address)
    try:
        sock.sendall(raw)
        return Reader(sock).read_response()
    finally:
        sock.close()


def chat_body(model="gpt-4o-mini", stream=False, **extra):
    body = {"model": model, "messages": [{"role": "user", "content": "Say hello"}], **extra}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


def post(path, body, host="x", headers=()):
    head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    return head.encode() + b"\r\n" + body
