"""SSE timing client: streaming chat completions on one keep-alive connection, timed per read.

Like an SDK with a connection pool, the client reuses its connection (pass the same
`Client` to every call); each response is read to its last chunk. The figures are
request → first response byte, request → first `data:` event, request → `data: [DONE]`.
Every recv() is timestamped; a stream is *incremental* when its events arrive spread over
time in many separate reads (a proxy that buffers the whole answer delivers them in one
or two).

Standalone: python3 -m sluicebench.sse HOST:PORT [--tokens 100] [--tps 200] [-n 5]
"""
import argparse
import json
import socket
import statistics
import time

from . import rawhttp


def stream_body(model="gpt-4o-mini"):
    return json.dumps({
        "model": model, "stream": True,
        "messages": [{"role": "user", "content": "Stream a long answer for the benchmark."}],
    }, separators=(",", ":")).encode()


class Client:
    """One keep-alive connection, reopened (outside the timed part) when the server closed it."""

    def __init__(self, host, port, timeout=30.0):
        self.host, self.port, self.timeout = host, port, timeout
        self.sock = None

    def socket(self):
        if self.sock is None:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.sock

    def discard(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def close(self):
        self.discard()


def stream_once(host, port, tokens=100, tps=200, model="gpt-4o-mini", client=None):
    """One stream; on client's connection when given (kept open if reusable), else on a fresh one."""
    headers = {"Accept": "text/event-stream", "x-mock-output-tokens": str(tokens),
               "x-mock-tokens-per-second": str(tps)}
    raw = rawhttp.request_bytes(host, port, body=stream_body(model), headers=headers)
    own = client is None
    client = client or Client(host, port)
    sock = client.socket()
    reusable = False
    try:
        t0 = time.perf_counter_ns()
        sock.sendall(raw)
        t_head = None
        event_times = []        # arrival of each complete `data:` event
        reads_with_events = 0
        buf = b""
        scanned = 0              # buf[:scanned] has been searched for events
        done = False
        while not done:
            data = sock.recv(65536)
            t = time.perf_counter_ns()
            if not data:
                break
            if t_head is None:
                t_head = t
            buf += data
            before = len(event_times)
            # An event ends with a blank line; count `data:` lines closed by one. Chunked
            # framing (size lines) sits between events, never inside "data: ...\n\n" here.
            while True:
                i = buf.find(b"data: ", scanned)
                if i < 0:
                    scanned = max(scanned, len(buf) - 6)
                    break
                j = buf.find(b"\n\n", i)
                if j < 0:
                    scanned = i
                    break
                event_times.append(t)
                if buf.startswith(b"data: [DONE]", i):
                    done = True
                scanned = j + 2
            if len(event_times) > before:
                reads_with_events += 1
        # Read the response to its end (the last chunk) like a well-behaved client: closing
        # right after [DONE] can abort the proxy's upstream transfer before its last bytes,
        # and cost the next stream a new upstream connection.
        head_end = buf.find(b"\r\n\r\n")
        chunked = b"transfer-encoding: chunked" in buf[:head_end].lower()
        while done and chunked and not buf.endswith(b"0\r\n\r\n"):
            data = sock.recv(65536)
            if not data:
                break
            buf += data
        status = int(buf.split(b" ", 2)[1]) if buf.startswith(b"HTTP/1.") else 0
        reusable = done and chunked and buf.endswith(b"0\r\n\r\n") and b"connection: close" not in buf[:head_end].lower()
    finally:
        if own or not reusable:
            client.discard()
    if not event_times:
        raise RuntimeError(f"no SSE events from {host}:{port} (status {status})")
    span = event_times[-1] - event_times[0]
    return {
        "status": status,
        "head_us": (t_head - t0) / 1000,
        "first_event_us": (event_times[0] - t0) / 1000,
        "total_us": (event_times[-1] - t0) / 1000,
        "events": len(event_times),
        "reads_with_events": reads_with_events,
        "span_us": span / 1000,
        "done": done,
    }


def incremental(result, tokens=100, tps=200):
    """Events spread over at least half the nominal stream time, in at least a quarter as many
    reads as events. A buffering proxy delivers a stream in one to three reads at its end; a
    scheduling stall on a busy machine merges a few dozen events into one read, no more."""
    nominal_us = tokens / tps * 1e6 if tps else 0
    return (result["done"] and result["span_us"] >= 0.5 * nominal_us
            and result["reads_with_events"] >= 0.25 * result["events"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address")
    ap.add_argument("--tokens", type=int, default=100)
    ap.add_argument("--tps", type=int, default=200)
    ap.add_argument("-n", type=int, default=5)
    a = ap.parse_args()
    host, port = a.address.rsplit(":", 1)
    client = Client(host, int(port))
    stream_once(host, int(port), 5, a.tps, client=client)  # opens and warms the connection
    rs = [stream_once(host, int(port), a.tokens, a.tps, client=client) for _ in range(a.n)]
    client.close()
    for r in rs:
        r["incremental"] = incremental(r, a.tokens, a.tps)
        print(json.dumps(r))
    print(json.dumps({"median_first_event_us": statistics.median(r["first_event_us"] for r in rs),
                      "median_total_us": statistics.median(r["total_us"] for r in rs)}))


if __name__ == "__main__":
    main()
