"""A repetitive workload through the response cache (issue 17): the benchmark's chat route with
`"cache": {}` (deterministic requests only), one keep-alive client sending temperature-0
requests of which a share repeats an earlier prompt. Reports the hit rate, the tokens and cost
the cache saved (from /metrics), and the latency of hits and of misses (the mock answers a miss
after `--miss-latency`, as a provider would, so a miss's latency is mostly the provider's).

Then the Redis tier (`--redis-hits N`, 0 to skip; needs `redis-server`): two sidecars share one
loopback `redis-server`; the first answers N distinct prompts (misses, written to Redis), the
second, whose memory tier is empty, asks each once: the latency of a Redis hit (a memory miss,
one GET, the answer written to the client).
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from . import procs, rawhttp, targets
from .redis_limits import start_redis

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else None


def metric(text, prefix):
    total = 0.0
    for line in text.splitlines():
        if line.startswith(prefix):
            total += float(line.rsplit(" ", 1)[1])
    return total


def start_sidecar(name, workdir, mock_address, redis_address=None):
    """A release sidecar whose chat route caches (deterministic requests), with the mock's
    prices and, when given, the Redis tier; returns (server, app address, metrics address)."""
    config = targets.sluice_config(mock_address, targets.ROUTE_BACKEND)
    next(r for r in config["routes"] if r["name"] == "openai")["cache"] = {}
    # gpt-4o-mini's list price per million tokens, so the saved cost is counted.
    next(b for b in config["backends"] if b["name"] == targets.ROUTE_BACKEND)["prices"] = {
        "gpt-4o-mini": {"input": 0.15, "output": 0.6, "currency": "USD"}}
    if redis_address:
        config["redis"] = {"addresses": [redis_address], "timeout": "1s"}
    directory = os.path.join(workdir, name)
    config_dir = targets.ConfigMapDir(os.path.join(directory, "config"), config)
    secrets = os.path.join(directory, "secrets")
    os.makedirs(secrets)
    for key in ("openai-key", "deepseek-key"):
        with open(os.path.join(secrets, key), "w") as f:
            f.write(f"sk-bench-{key}\n")
    sluice = procs.Server(name, [os.path.join(targets.RELEASE, "sluice"), "--config-dir", config_dir.path,
                                 "--secrets-dir", secrets, "--workers", "1", "--no-access-log"], None,
                          os.path.join(workdir, f"{name}.log"))
    return sluice, sluice.listening("app"), sluice.listening("metrics")


def ask(connection, address, prompt, miss_latency):
    """One deterministic request: (x-sluice-cache, seconds)."""
    host, port = address
    body = json.dumps({"model": "gpt-4o-mini", "temperature": 0, "messages": [{"role": "user", "content": prompt}]}).encode()
    start = time.perf_counter()
    response = connection.request(rawhttp.request_bytes(host, port, body=body, headers={"x-mock-latency": miss_latency}))
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"status {response.status}: {response.body[:200]!r}")
    return response.headers.get("x-sluice-cache", "none"), elapsed


def redis_hits(workdir, mock_address, count, miss_latency):
    """The latencies of `count` Redis hits: a second sidecar asking what the first stored."""
    redis, redis_address = start_redis(workdir, None)
    try:
        writer = start_sidecar("writer", workdir, mock_address, redis_address)
        reader = start_sidecar("reader", workdir, mock_address, redis_address)
        prompts = [f"Shared question {index}: what does the product do for team {index % 37}?" for index in range(count)]
        connection = rawhttp.Connection(*writer[1])
        for prompt in prompts:
            ask(connection, writer[1], prompt, miss_latency)
        connection.close()
        port = redis_address.rsplit(":", 1)[1]
        deadline = time.monotonic() + 10
        while int(subprocess.run(["redis-cli", "-p", port, "DBSIZE"], capture_output=True, text=True).stdout.strip() or 0) < count:
            if time.monotonic() > deadline:
                raise RuntimeError("the writer's answers did not all reach Redis")
            time.sleep(0.01)
        connection = rawhttp.Connection(*reader[1])
        latencies = []
        for prompt in prompts:
            result, elapsed = ask(connection, reader[1], prompt, miss_latency)
            if result != "hit":
                raise RuntimeError(f"expected a Redis hit, got {result}")
            latencies.append(elapsed)
        connection.close()
        return latencies
    finally:
        redis.kill()
        redis.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument("--prompts", type=int, default=1000, help="distinct prompts at most (default 1000)")
    ap.add_argument("--repeat", type=float, default=0.7, help="share of requests repeating an earlier prompt (default 0.7)")
    ap.add_argument("--miss-latency", default="20ms", help="the mock's latency per answer (default 20ms)")
    ap.add_argument("--redis-hits", type=int, default=300, help="Redis hits to time (default 300; 0: skip the Redis tier)")
    args = ap.parse_args()
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="sluice-cache-bench-") as workdir:
        try:
            mock = procs.Server("mock", [os.path.join(targets.RELEASE, "sluice-mock"), "--listen", "127.0.0.1:0"], None,
                                os.path.join(workdir, "mock.log"))
            mock_host, mock_port = mock.listening("mock")
            _, (host, port), (metrics_host, metrics_port) = start_sidecar("sluice", workdir, f"{mock_host}:{mock_port}")
            connection = rawhttp.Connection(host, port)
            sent, latency = [], {"hit": [], "miss": []}
            for _ in range(args.requests):
                if sent and (rng.random() < args.repeat or len(sent) >= args.prompts):
                    prompt = rng.choice(sent)
                else:
                    prompt = f"Question {len(sent)}: what does the product do for team {len(sent) % 37}?"
                    sent.append(prompt)
                result, elapsed = ask(connection, (host, port), prompt, args.miss_latency)
                latency.setdefault(result, []).append(elapsed)
            connection.close()
            scrape = rawhttp.Connection(metrics_host, metrics_port)
            text = scrape.request(rawhttp.request_bytes(metrics_host, metrics_port, path="/metrics", body=None,
                                                        method="GET")).body.decode()
            scrape.close()
            redis_latency = redis_hits(workdir, f"{mock_host}:{mock_port}", args.redis_hits, args.miss_latency) if args.redis_hits else []
        finally:
            procs.stop_all()
    hits, misses = len(latency["hit"]), len(latency["miss"])
    result = {
        "requests": args.requests, "distinct_prompts": len(sent), "repeat_share": args.repeat,
        "hit_rate": round(hits / max(1, hits + misses), 3),
        "tokens_saved": metric(text, "sluice_cache_tokens_saved_total"),
        "cost_saved": metric(text, "sluice_cache_cost_saved_total"),
        "hit_p50_ms": round(percentile(latency["hit"], 50) * 1e3, 3) if hits else None,
        "hit_p99_ms": round(percentile(latency["hit"], 99) * 1e3, 3) if hits else None,
        "miss_p50_ms": round(percentile(latency["miss"], 50) * 1e3, 3) if misses else None,
        "miss_p99_ms": round(percentile(latency["miss"], 99) * 1e3, 3) if misses else None,
        "redis_hits": len(redis_latency),
        "redis_hit_p50_ms": round(percentile(redis_latency, 50) * 1e3, 3) if redis_latency else None,
        "redis_hit_p99_ms": round(percentile(redis_latency, 99) * 1e3, 3) if redis_latency else None,
    }
    print(json.dumps(result, indent=1))
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "latest-cache.json"), "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
