"""SSE timing client: one streaming chat completion on a fresh connection, timed per read.

The connection is opened before the clock starts, so the figures are request → first
response byte, request → first `data:` event, request → `data: [DONE]`. Every recv()
is timestamped; a stream is *incremental* when its events arrive spread over time in
many separate reads (a proxy that buffers the whole answer delivers them in one or two).

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


def stream_once(host, port, tokens=100, tps=200, model="gpt-4o-mini", timeout=30.0):
    headers = {"Accept": "text/event-stream", "x-mock-output-tokens": str(tokens),
               "x-mock-tokens-per-second": str(tps)}
    raw = rawhttp.request_bytes(host, port, body=stream_body(model), headers=headers)
    sock = socket.create_connection((host, port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
        status = int(buf.split(b" ", 2)[1]) if buf.startswith(b"HTTP/1.") else 0
    finally:
        sock.close()
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
    """Events spread over at least half the nominal stream time, in reads of at most ~2 events each."""
    nominal_us = tokens / tps * 1e6 if tps else 0
    return (result["done"] and result["span_us"] >= 0.5 * nominal_us
            and result["reads_with_events"] >= 0.5 * result["events"])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address")
    ap.add_argument("--tokens", type=int, default=100)
    ap.add_argument("--tps", type=int, default=200)
    ap.add_argument("-n", type=int, default=5)
    a = ap.parse_args()
    host, port = a.address.rsplit(":", 1)
    rs = [stream_once(host, int(port), a.tokens, a.tps) for _ in range(a.n)]
    for r in rs:
        r["incremental"] = incremental(r, a.tokens, a.tps)
        print(json.dumps(r))
    print(json.dumps({"median_first_event_us": statistics.median(r["first_event_us"] for r in rs),
                      "median_total_us": statistics.median(r["total_us"] for r in rs)}))


if __name__ == "__main__":
    main()
