"""A minimal HTTP/1.1 client on raw sockets: cheap enough to poll with, and it shows
exactly what is on the wire (no client library buffering or pooling in the way)."""
import json
import socket

CHAT_BODY = json.dumps({
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "Say hello to the benchmark."}],
}, separators=(",", ":")).encode()


def request_bytes(host, port, path="/v1/chat/completions", body=CHAT_BODY, headers=None, method="POST"):
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Authorization: Bearer sk-client-key-not-forwarded"]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> first value
        self.body = body


def read_response(sock, buf=b""):
    """Reads one response (Content-Length or chunked); returns (Response, leftover bytes)."""
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed before the response head")
        buf += data
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    if "content-length" in headers:
        n = int(headers["content-length"])
        while len(rest) < n:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed inside the body")
            rest += data
        return Response(status, headers, rest[:n]), rest[n:]
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            while b"\r\n" not in rest:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("connection closed inside a chunk size")
                rest += data
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                data = sock.recv(65536)
                if not data:
                    raise ConnectionError("connection closed inside a chunk")
                rest += data
            if size == 0:
                # No trailers expected: the last chunk is followed by an empty line.
                return Response(status, headers, body), rest[2:]
            body += rest[:size]
            rest = rest[size + 2:]
    # Close-delimited.
    while True:
        data = sock.recv(65536)
        if not data:
            return Response(status, headers, rest), b""
        rest += data


class Connection:
    """One keep-alive connection."""

    def __init__(self, host, port, timeout=10.0):
        self.host, self.port = host, port
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def request(self, raw):
        self.sock.sendall(raw)
        response, self.buf = read_response(self.sock, self.buf)
        return response

    def close(self):
        self.sock.close()
