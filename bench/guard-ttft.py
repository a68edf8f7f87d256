#!/usr/bin/env python3
"""Time to first token through the sidecar with and without a response guard (docs/guard.md).

Starts sluice-mock and three sidecars from .build/release: no guard; a guard of 1,000 keywords and
the detectors that start only on their own marks (phone, chinaMobile, chinaResidentID,
paymentCard, ipv4, ipv6, apiKey, awsAccessKey, privateKey); the same with every detector (email
and iban can start on any word, so they hold a chunk's last word until the next chunk). Streams
answers of 20 tokens at 200 tokens/s and reports, per sidecar, the median and p90 time from the
request to the first chunk with non-empty content, and the median added over no guard.
    python3 bench/guard-ttft.py [-n 200]
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.path.join(ROOT, ".build", "release")
STEMS = ["forbidden", "内部资料", "Confidential", "机密", "секрет", "Project凤凰", "απόρρητο", "漏洞利用"]
KEYWORDS = [f"{STEMS[i % len(STEMS)]}{i}" for i in range(1000)]
MARKED = ["phone", "chinaMobile", "chinaResidentID", "paymentCard", "ipv4", "ipv6", "apiKey", "awsAccessKey", "privateKey"]
EVERY = MARKED + ["email", "iban"]


def start(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    addresses = {}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "listening":
            host, port = event["address"].rsplit(":", 1)
            addresses[event["name"]] = (host, int(port))
            if "app" in addresses or argv[0].endswith("sluice-mock"):
                # Keep draining stderr (audit lines, events) so the pipe never fills.
                subprocess.Popen(["cat"], stdin=proc.stderr, stdout=subprocess.DEVNULL)
                return proc, addresses.get("app") or addresses[event["name"]]
    raise RuntimeError(f"{argv[0]} did not start")


def sidecar(mock, detectors):
    directory = tempfile.mkdtemp(prefix="sluice-guard-ttft-")
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
              "backends": [{"name": "mock", "provider": "openai", "baseURL": f"http://{mock[0]}:{mock[1]}/v1"}],
              "routes": [{"name": "chat", "split": [{"backend": "mock", "weight": 1}]}]}
    if detectors is not None:
        config["guards"] = [{"name": "bench", "rules": [
            {"name": "keywords", "phase": "response", "keywords": KEYWORDS, "action": "block"},
            {"name": "detectors", "phase": "response", "detectors": detectors, "action": "redact"}]}]
    os.makedirs(os.path.join(directory, "config"))
    os.makedirs(os.path.join(directory, "secrets"))
    with open(os.path.join(directory, "config", "config.json"), "w") as f:
        json.dump(config, f)
    return start([os.path.join(RELEASE, "sluice"), "--config-dir", os.path.join(directory, "config"),
                  "--secrets-dir", os.path.join(directory, "secrets"), "--workers", "1"])


def first_token_us(address):
    body = json.dumps({"model": "gpt-4o-mini", "stream": True,
                       "messages": [{"role": "user", "content": "hi"}]}).encode()
    head = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nx-mock-output-tokens: 20\r\nx-mock-tokens-per-second: 200\r\n"
            "Connection: close\r\n\r\n").encode()
    with socket.create_connection(address) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t0 = time.perf_counter_ns()
        sock.sendall(head + body)
        buf, first = b"", None
        while True:
            data = sock.recv(65536)
            if not data:
                break
            if first is None:
                buf += data
                marker = buf.find(b'"content":"')
                while marker >= 0:
                    if buf[marker + 11:marker + 12] not in (b'"', b""):
                        first = time.perf_counter_ns()
                        break
                    marker = buf.find(b'"content":"', marker + 1)
    if first is None:
        raise RuntimeError("no content token")
    return (first - t0) / 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=200)
    args = ap.parse_args()
    procs = []
    try:
        mock_proc, mock = start([os.path.join(RELEASE, "sluice-mock"), "--listen", "127.0.0.1:0"])
        procs.append(mock_proc)
        targets = {}
        for name, detectors in [("no guard", None), ("keywords + marked detectors", MARKED), ("keywords + every detector", EVERY)]:
            proc, address = sidecar(mock, detectors)
            procs.append(proc)
            targets[name] = address
        for address in targets.values():
            for _ in range(20):
                first_token_us(address)
        samples = {name: [] for name in targets}
        for _ in range(args.n):
            for name, address in targets.items():
                samples[name].append(first_token_us(address))
        base = statistics.median(samples["no guard"])
        result = {}
        for name, values in samples.items():
            values.sort()
            result[name] = {"p50_us": round(statistics.median(values)), "p90_us": round(values[int(len(values) * 0.9)]),
                            "added_p50_us": round(statistics.median(values) - base)}
        print(json.dumps(result, ensure_ascii=False))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
