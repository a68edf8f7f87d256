"""Instructions per request, counted by valgrind's callgrind: a figure the machine's noise
does not move, for comparing two builds of the same code path (docs/performance.md).

Each target runs twice under callgrind, serving `wrk -c8` for N and for 3N seconds. The
difference of their instruction counts divided by the difference of their requests is the
user-space work of one request (the program, its
libraries, libc; not the kernel). Targets: the mock's GET /healthz and nginx's `return 200` of
the same bytes (issue 2's small JSON), and Sluice proxying the benchmark's chat completion to a
mock that runs outside valgrind; `sluice-consumer` is the same with a consumer key and a request
and a token limit (authenticate, admit, settle); `cache` answers the same request from the
memory cache (the route caches every request, so all but the first are hits); `translated` sends
the same OpenAI request to a backend whose provider is `anthropic` (translated to Anthropic's
Messages API and its answer back, the mock answering in Anthropic's format on /v1/messages).
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from . import procs, targets

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GET_HEALTHZ = {"BENCH_METHOD": "GET", "BENCH_PATH": "/healthz"}


def wait_ok(url, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def wrk_requests(port, seconds, env_extra, path="/"):
    env = dict(os.environ, **env_extra)
    out = subprocess.run(["wrk", "-t1", "-c8", f"-d{seconds}s", "-s", os.path.join(BENCH, "post.lua"),
                          f"http://127.0.0.1:{port}{path}"], env=env, capture_output=True, text=True,
                         check=True).stdout
    summary = json.loads(next(line for line in out.splitlines() if line.startswith('{"wrk"')))
    failed = sum(summary["errors"].values())
    if failed:
        raise RuntimeError(f"wrk reported {failed} errors: {summary['errors']}")
    return summary["requests"]


def stop_process(p):
    """SIGTERM until it exits: under valgrind a server sometimes loses the first signal."""
    for _ in range(60):
        p.terminate()
        try:
            p.wait(timeout=1)
            return
        except subprocess.TimeoutExpired:
            pass
    p.kill()
    raise RuntimeError(f"{p.args[3]} did not stop on SIGTERM")


def callgrind_run(workdir, tag, argv, ready_url, port, seconds, env_extra):
    """Runs argv under callgrind; returns (requests, instructions)."""
    out = os.path.join(workdir, f"{tag}.callgrind")
    with open(os.path.join(workdir, f"{tag}.log"), "wb") as log:
        p = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv,
                             stdout=log, stderr=log)
    try:
        wait_ok(ready_url)
        requests = wrk_requests(port, seconds, env_extra)
    finally:
        stop_process(p)
    total = 0
    for path in glob.glob(out + "*"):
        with open(path) as f:
            total += sum(int(line.split()[1]) for line in f if line.startswith("totals:"))
    return requests + 1, total  # + the readiness request


def per_request(workdir, key, label, argv, ready_url, port, seconds, env_extra):
    # A short and a long busy run: their difference cancels start-up, first-use and connection
    # set-up costs, which a run with fewer requests would otherwise spread over each request.
    short_requests, short = callgrind_run(workdir, f"{key}-short", argv, ready_url, port, seconds, env_extra)
    long_requests, long = callgrind_run(workdir, f"{key}-long", argv, ready_url, port, 3 * seconds, env_extra)
    served = long_requests - short_requests
    with open(os.path.join(workdir, f"{key}.requests"), "w") as f:
        f.write(f"{served}\n")
    if served < 100:
        raise RuntimeError(f"{label}: only {served} more requests in the long run; raise --seconds")
    return {"target": label, "requests": served, "instructions_per_request": round((long - short) / served)}


RELEASE = targets.RELEASE


def measure_mock(workdir, seconds):
    port = procs.free_port()
    argv = [os.path.join(RELEASE, "sluice-mock"), "--listen", f"127.0.0.1:{port}", "--workers", "1"]
    return per_request(workdir, "mock", "sluice-mock GET /healthz", argv, f"http://127.0.0.1:{port}/healthz", port,
                       seconds, GET_HEALTHZ)


def measure_nginx(workdir, seconds):
    port = procs.free_port()
    d = os.path.join(workdir, "nginx")
    os.makedirs(d, exist_ok=True)
    conf = targets.render("nginx-static.conf", os.path.join(d, "nginx.conf"), DIR=d, LISTEN=f"127.0.0.1:{port}",
                          HEALTH_BODY='{"status":"ok"}', CHAT_BODY="{}")
    # One process: callgrind follows the worker only if nginx does not fork it.
    with open(conf, "a") as f:
        f.write("master_process off;\n")
    argv = ["nginx", "-c", conf, "-p", d]
    return per_request(workdir, "nginx", "nginx return 200 GET /healthz", argv, f"http://127.0.0.1:{port}/healthz", port,
                       seconds, GET_HEALTHZ)


# The key post.lua sends: with `consumers`, it is the consumer's key.
BENCH_KEY = "sk-client-key-not-forwarded"
# A consumer with a request and a token limit high enough never to refuse: what authentication,
# a local request limit and a token limit (reserve, then settle with the usage) cost per request.
BENCH_CONSUMER = {"name": "bench", "keysDirectory": "consumers/bench",
                  "rateLimits": {"requestsPerMinute": 1000000000, "tokensPerMinute": 1000000000000}}


def measure_sluice(workdir, seconds, consumers=None, cache=False, translated=False):
    key = "sluice-consumer" if consumers else "sluice-cache" if cache else "sluice-translated" if translated else "sluice"
    mock_port = procs.free_port()
    mock = subprocess.Popen([os.path.join(RELEASE, "sluice-mock"), "--listen", f"127.0.0.1:{mock_port}",
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ok(f"http://127.0.0.1:{mock_port}/healthz")
        app, admin = procs.free_port(), procs.free_port()
        config = targets.sluice_config(f"127.0.0.1:{mock_port}", targets.ROUTE_BACKEND)
        config["listeners"] = {"app": f"127.0.0.1:{app}", "admin": f"127.0.0.1:{admin}", "metrics": "127.0.0.1:0"}
        if consumers:
            config["consumers"] = consumers
        if cache:
            # The benchmark's body has temperature 0.2: only `always` caches it.
            next(r for r in config["routes"] if r["name"] == "openai")["cache"] = {"mode": "always"}
        if translated:
            backend = next(b for b in config["backends"] if b["name"] == targets.ROUTE_BACKEND)
            backend["provider"] = "anthropic"
            backend["credentials"] = {"file": "openai-key"}  # Anthropic's x-api-key header
        config_dir = targets.ConfigMapDir(os.path.join(workdir, key, "config"), config)
        secrets = os.path.join(workdir, key, "secrets")
        os.makedirs(os.path.join(secrets, "consumers", "bench"))
        files = {"openai-key": "sk-bench-openai-key", "deepseek-key": "sk-bench-deepseek-key", "consumers/bench/current": BENCH_KEY}
        for name, value in files.items():
            with open(os.path.join(secrets, name), "w") as f:
                f.write(f"{value}\n")
        argv = [os.path.join(RELEASE, "sluice"), "--config-dir", config_dir.path, "--secrets-dir", secrets,
                "--workers", "1", "--drain-timeout", "1s", "--no-access-log"]
        label = ("sluice POST chat completion (memory cache hit)" if cache else
                 "sluice POST chat completion (translated to an anthropic backend)" if translated else
                 "sluice POST chat completion (proxied" + (", consumer key + request and token limits)" if consumers else ")"))
        return per_request(workdir, key, label, argv, f"http://127.0.0.1:{admin}/ready", app, seconds, {})
    finally:
        mock.terminate()
        mock.wait(timeout=10)


MEASURES = {"mock": measure_mock, "nginx": measure_nginx, "sluice": measure_sluice,
            "sluice-consumer": lambda workdir, seconds: measure_sluice(workdir, seconds, consumers=[BENCH_CONSUMER]),
            "cache": lambda workdir, seconds: measure_sluice(workdir, seconds, cache=True),
            "translated": lambda workdir, seconds: measure_sluice(workdir, seconds, translated=True)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("targets", nargs="*", help=f"any of {', '.join(MEASURES)} (default: all)")
    ap.add_argument("--seconds", type=int, default=2, help="the short run's length; the long one is 3x (default 2)")
    ap.add_argument("--release-dir", help="where sluice and sluice-mock are (default .build/release); "
                                          "point it at another build's binaries to compare")
    ap.add_argument("--keep", metavar="DIR", help="keep the callgrind files in DIR, for bench/callgrind-diff.py")
    args = ap.parse_args()
    global RELEASE
    RELEASE = os.path.abspath(args.release_dir) if args.release_dir else targets.RELEASE
    unknown = [t for t in args.targets if t not in MEASURES]
    if unknown:
        ap.error(f"unknown target(s): {', '.join(unknown)}")
    results = []
    with tempfile.TemporaryDirectory(prefix="sluice-instructions-") as scratch:
        workdir = scratch
        if args.keep:
            if os.path.isdir(args.keep) and os.listdir(args.keep):
                ap.error(f"--keep {args.keep}: not empty; give a new or empty directory")
            os.makedirs(args.keep, exist_ok=True)
            workdir = os.path.abspath(args.keep)
        for name in args.targets or list(MEASURES):
            result = MEASURES[name](workdir, args.seconds)
            results.append(result)
            print(f"{result['target']}: {result['instructions_per_request']:,} instructions per request "
                  f"(over {result['requests']:,} requests)", flush=True)
    commit = subprocess.run(["git", "-C", BENCH, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "latest-instructions.json"), "w") as f:
        json.dump({"commit": commit, "binaries": RELEASE, "seconds": args.seconds, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
