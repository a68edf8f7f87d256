"""Many connections held open, to measure what each one costs the server in memory.

idle: open N keep-alive connections, send one request on each and read the answer, then
leave them idle. The server's RSS delta / N is its per-idle-connection cost.
streams: open N streaming requests paced slowly, read the first event of each, and hold
them mid-stream; RSS delta / N is the per-active-stream cost.

Standalone: python3 -m sluicebench.conns HOST:PORT --pid PID [-n 2000] [--streams]
"""
import argparse
import json
import resource
import socket
import time

from . import procs, rawhttp, sse


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n + 256)) if hard != resource.RLIM_INFINITY else max(soft, n + 256)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_idle(host, port, n):
    """n connections, each having completed one request; returns (sockets, failures)."""
    raw = rawhttp.request_bytes(host, port)
    conns, failures = [], 0
    for _ in range(n):
        try:
            c = rawhttp.Connection(host, port)
            r = c.request(raw)
            if r.status != 200:
                failures += 1
            conns.append(c)
        except OSError:
            failures += 1
    return conns, failures


def open_streams(host, port, n, tokens=200, tps=20):
    """n streams paced at tps, each read up to its first event; returns (sockets, failures)."""
    headers = {"Accept": "text/event-stream", "x-mock-output-tokens": str(tokens),
               "x-mock-tokens-per-second": str(tps)}
    raw = rawhttp.request_bytes(host, port, body=sse.stream_body(), headers=headers)
    socks, failures = [], 0
    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=10)
            s.sendall(raw)
            socks.append(s)
        except OSError:
            failures += 1
    for s in socks:
        try:
            buf = b""
            while b"data: " not in buf:
                d = s.recv(65536)
                if not d:
                    failures += 1
                    break
                buf += d
        except OSError:
            failures += 1
    return socks, failures


def measure(pids_fn, opener, n, settle=0.5):
    """RSS of pids_fn() before and after opener(n) has returned its open sockets."""
    time.sleep(settle)
    before = procs.rss_kib(pids_fn())
    held, failures = opener(n)
    time.sleep(settle)
    after = procs.rss_kib(pids_fn())
    for h in held:
        h.close()
    return {"n": n, "opened": len(held), "failures": failures, "rss_before_kib": before,
            "rss_after_kib": after, "bytes_per_conn": (after - before) * 1024 / max(1, len(held))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("address")
    ap.add_argument("--pid", type=int, required=True, help="server process (its children are counted too)")
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--streams", action="store_true", help="hold active streams instead of idle connections")
    a = ap.parse_args()
    host, port = a.address.rsplit(":", 1)
    raise_nofile(a.n)
    opener = (lambda n: open_streams(host, int(port), n)) if a.streams else (lambda n: open_idle(host, int(port), n))
    print(json.dumps(measure(lambda: procs.descendants(a.pid), opener, a.n)))


if __name__ == "__main__":
    main()
