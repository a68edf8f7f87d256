"""A stand-in provider on a raw socket, for responses sluice-mock (whose HTTP server frames
every answer correctly) cannot send: conflicting Content-Length values, thousands of header
fields, a header line larger than libcurl accepts, a key echoed across chunk boundaries.

Each connection reads one request (head, then a Content-Length body), records its raw bytes,
sends the scripted response and keeps the connection open until the peer closes it, the way a
real server waits for more bytes it will never send."""
import socket
import threading

import pytest

from sidecar import start_sidecar


class RawProvider:
    def __init__(self, respond):
        """`respond(head_bytes, body_bytes)` returns the raw response bytes, or a list of byte
        strings sent with separate `send` calls."""
        self.respond = respond
        self.requests = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.address = self._listener.getsockname()
        self._connections = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base_url(self):
        return f"http://{self.address[0]}:{self.address[1]}/v1"

    def _accept(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(body) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                body += chunk
            self.requests.append((head, body))
            answer = self.respond(head, body)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for piece in answer if isinstance(answer, list) else [answer]:
                conn.sendall(piece)
            while conn.recv(65536):  # hold the connection until the client closes it
                pass
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self._stopped.set()
        self._listener.close()
        for conn in self._connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()


@pytest.fixture
def behind_raw_provider(start, tmp_path):
    """`behind_raw_provider(respond, key)` starts a RawProvider answering with `respond` and a
    sidecar in front of it: one backend "raw" whose key file holds `key`, one route to it."""
    started = []

    def _start(respond, key):
        provider = RawProvider(respond)
        started.append(provider)
        backend = {"name": "raw", "provider": "openai", "baseURL": provider.base_url,
                   "credentials": {"file": "key", "header": "authorization"}}
        sidecar = start_sidecar(start, tmp_path, [backend], [{"name": "all", "split": [{"backend": "raw", "weight": 1}]}],
                                secrets={"key": key + "\n"})
        sidecar.provider = provider
        return sidecar

    yield _start
    for provider in started:
        provider.stop()
