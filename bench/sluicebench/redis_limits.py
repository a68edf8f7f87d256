"""bench/redis-limits.sh: the added latency and CPU of a consumer's request limit counted in
process, in Redis in strict mode (every request waits for the counter script) and in Redis in
sync mode (local counts reconciled every syncInterval), against the same sidecar without
consumers. Loopback, one redis-server on the load CPU, the sidecar alone on the proxy CPU.
Results: bench/results/latest-redis.json and a table on stdout."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import load, procs, rawhttp, targets
from .main import Settings, log, machine_info

KEY = "sk-client-key-not-forwarded"  # what bench/post.lua sends
VARIANTS = {
    "no-consumers": None,
    "local-limit": {},
    "redis-strict": {"mode": "strict"},
    "redis-sync": {"mode": "sync", "syncInterval": "50ms"},
}


def config(upstream, variant, redis_address):
    cfg = targets.sluice_config(upstream, targets.ROUTE_BACKEND)
    settings = VARIANTS[variant]
    if settings is None:
        return cfg
    cfg["consumers"] = [{"name": "bench", "keysDirectory": "consumers/bench", "rateLimits": {"requestsPerMinute": 1_000_000_000}}]
    if settings:
        cfg["redis"] = {"addresses": [redis_address], **settings}
    return cfg


def start_redis(workdir, cpus):
    port = procs.free_port()
    argv = procs.taskset_argv(cpus, ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                     "--dir", workdir])
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while subprocess.run(["redis-cli", "-p", str(port), "PING"], capture_output=True).stdout.strip() != b"PONG":
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(f"redis-server on port {port} did not start")
        time.sleep(0.01)
    return proc, f"127.0.0.1:{port}"


def measure(s, addr, settings):
    load.wrk(addr[0], addr[1], 1, settings.warmup, settings.load_cpu)
    c1 = load.wrk(addr[0], addr[1], 1, settings.duration, settings.load_cpu, server=s)
    c8 = load.wrk(addr[0], addr[1], 8, settings.duration, settings.load_cpu, server=s)
    return {"c1_p50_us": c1["latency_us"]["p50"], "c1_p99_us": c1["latency_us"]["p99"], "c8_p50_us": c8["latency_us"]["p50"],
            "c8_p99_us": c8["latency_us"]["p99"], "c1_rps": c1["rps"], "c8_rps": c8["rps"],
            "cpu_us_per_req": c1["server_cpu_us_per_req"], "errors": c1["errors_total"] + c8["errors_total"],
            "non_2xx": c1["errors"]["status"] + c8["errors"]["status"]}


def main():
    class Args:
        quick = os.environ.get("BENCH_QUICK") == "1"
        reps = None
    settings = Settings(Args())
    workdir = tempfile.mkdtemp(prefix="sluice-bench-redis-")
    results = {"machine": machine_info(), "settings": settings.as_dict(), "variants": {}}
    mock, up_addr = targets.start_mock(workdir, settings.load_cpu)
    redis, redis_address = start_redis(workdir, settings.load_cpu)
    upstream = f"{up_addr[0]}:{up_addr[1]}"
    try:
        for variant in VARIANTS:
            log(f"redis limits: {variant}")
            d = os.path.join(workdir, variant)
            secrets = os.path.join(d, "secrets")
            os.makedirs(os.path.join(secrets, "consumers", "bench"))
            for name in ("openai-key", "deepseek-key"):
                with open(os.path.join(secrets, name), "w") as f:
                    f.write(f"sk-bench-{name}\n")
            with open(os.path.join(secrets, "consumers", "bench", "key"), "w") as f:
                f.write(KEY + "\n")
            cfg = targets.ConfigMapDir(os.path.join(d, "config"), config(upstream, variant, redis_address))
            s = targets.start_sluice(d, settings.proxy_cpu, cfg.path, secrets, name=variant)
            try:
                _, addr = targets.sluice_ready(s)
                probe = rawhttp.Connection(*addr)
                r = probe.request(rawhttp.request_bytes(*addr))
                probe.close()
                if r.status != 200:
                    raise RuntimeError(f"{variant}: probe answered {r.status}: {r.body[:200]!r}")
                if VARIANTS[variant] is not None and "x-ratelimit-limit-requests" not in r.headers:
                    raise RuntimeError(f"{variant}: the consumer's limit was not applied")
                results["variants"][variant] = measure(s, addr, settings)
            finally:
                s.stop()
    finally:
        redis.kill()
        redis.wait()
        mock.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    base = results["variants"]["no-consumers"]
    print(f"{'variant':<14}{'c1 p50 µs':>11}{'added':>8}{'c1 p99 µs':>11}{'added':>8}{'c8 p50 µs':>11}{'c8 p99 µs':>11}"
          f"{'CPU µs/req':>12}{'× base':>8}{'errors':>8}")
    for variant, v in results["variants"].items():
        v["added_c1_p50_us"] = v["c1_p50_us"] - base["c1_p50_us"]
        v["added_c1_p99_us"] = v["c1_p99_us"] - base["c1_p99_us"]
        v["cpu_ratio"] = v["cpu_us_per_req"] / base["cpu_us_per_req"]
        print(f"{variant:<14}{v['c1_p50_us']:>11}{v['added_c1_p50_us']:>8}{v['c1_p99_us']:>11}{v['added_c1_p99_us']:>8}"
              f"{v['c8_p50_us']:>11}{v['c8_p99_us']:>11}{v['cpu_us_per_req']:>12.1f}{v['cpu_ratio']:>8.2f}{v['errors']:>8}")
    out = os.path.join(targets.BENCH_DIR, "results", "latest-redis.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"results: {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
