"""`make bench`: Sluice against nginx, haproxy and a direct call, on loopback, pinned.

Layout: the proxy under test runs alone on the proxy CPU (1); the load generator, the
upstream sluice-mock and this script share the load CPU (0). Every figure is measured in
each of REPS repetitions; the targets' order rotates between repetitions (interleaved),
and each figure is reported as the median of the repetitions with their min–max.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import conns, load, procs, rawhttp, report, sse, stats, targets

RESULTS = os.path.join(targets.BENCH_DIR, "results")


class Settings:
    def __init__(self, args):
        quick = args.quick or os.environ.get("BENCH_QUICK") == "1"
        env = lambda k, full, fast, conv=int: conv(os.environ.get(k, fast if quick else full))
        self.quick = quick
        self.reps = args.reps or env("BENCH_REPS", 3, 1)
        self.duration = env("BENCH_DURATION", 5, 2)        # seconds per measured wrk run
        self.warmup = env("BENCH_WARMUP", 2, 1)            # seconds of wrk before measuring
        self.streams = env("BENCH_STREAMS", 5, 2)          # 100-chunk SSE streams per target per repetition
        self.short_streams = env("BENCH_SHORT_STREAMS", 20, 10)  # 5-chunk streams, first event only
        self.idle_conns = env("BENCH_CONNS", 2000, 500)
        self.active_streams = env("BENCH_ACTIVE_STREAMS", 200, 50)
        self.starts = env("BENCH_STARTS", 5, 2)            # process starts per target per repetition
        self.reloads = env("BENCH_RELOADS", 5, 3)          # config reloads per repetition
        ncpu = len(os.sched_getaffinity(0))
        if ncpu >= 2:
            self.proxy_cpu = os.environ.get("BENCH_PROXY_CPU", "1")
            self.load_cpu = os.environ.get("BENCH_LOAD_CPU", "0")
        else:
            self.proxy_cpu = self.load_cpu = None

    def as_dict(self):
        return dict(vars(self))


def log(msg):
    sys.stderr.write(f"\033[1m--> {msg}\033[0m\n")
    sys.stderr.flush()


def command_output(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return out.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return None


def machine_info():
    model = None
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": model, "cpus": os.cpu_count(), "mem_gib": round(mem_kib / 1048576, 1),
        "kernel": platform.release(), "loadavg_start": os.getloadavg(),
        "git_commit": command_output(["git", "-C", targets.ROOT, "rev-parse", "--short", "HEAD"]),
        "swift": command_output(["swift", "--version"]),
        "nginx": command_output(["nginx", "-v"]), "haproxy": command_output(["haproxy", "-v"]),
        "wrk": command_output(["wrk", "-v"]),
    }


class Bench:
    def __init__(self, settings, groups, target_names):
        self.s = settings
        self.groups = groups
        self.targets = target_names
        self.samples = stats.Samples()
        self.raw = []  # every measurement, for the JSON
        self.workdir = tempfile.mkdtemp(prefix="sluice-bench-")
        self.upstream = None
        self.up_addr = None
        self.chat_body = None

    # ---- helpers -------------------------------------------------------------------

    def record(self, rep, target, kind, value):
        self.raw.append({"rep": rep, "target": target, "kind": kind, "value": value})

    @contextlib.contextmanager
    def pinned(self, cpus):
        """Runs the block with this process pinned to cpus, then back on the load CPU."""
        if cpus is None:
            yield
            return
        os.sched_setaffinity(0, {int(c) for c in cpus.split(",")})
        try:
            yield
        finally:
            os.sched_setaffinity(0, {int(c) for c in self.s.load_cpu.split(",")})

    def wrk(self, addr, conns, seconds, server=None, env=None):
        return load.wrk(addr[0], addr[1], conns, seconds, self.s.load_cpu, server=server, env_extra=env)

    def start_target(self, name, rep, access_log=False):
        """Starts a proxy target on the proxy CPU; returns (server, addr)."""
        wd = os.path.join(self.workdir, f"rep{rep}")
        os.makedirs(wd, exist_ok=True)
        up = f"{self.up_addr[0]}:{self.up_addr[1]}"
        if name == "nginx":
            s, addr = targets.start_nginx(wd, self.s.proxy_cpu, "nginx-proxy.conf", UPSTREAM=up)
            procs.wait_http_ok(*addr, rawhttp.request_bytes(*addr), server=s)
        elif name == "haproxy":
            s, addr = targets.start_haproxy(wd, self.s.proxy_cpu, up)
            procs.wait_http_ok(*addr, rawhttp.request_bytes(*addr), server=s)
        elif name == "sluice":
            tag = "sluice-log" if access_log else "sluice"
            cfg, secrets = targets.sluice_dirs(wd, up, name=tag)
            self.sluice_cfg = cfg
            s = targets.start_sluice(wd, self.s.proxy_cpu, cfg.path, secrets, name=tag, access_log=access_log,
                                     stdout_path=os.path.join(wd, f"{tag}-access.log") if access_log else None)
            _, addr = targets.sluice_ready(s)
        else:
            raise ValueError(name)
        return s, addr

    # ---- the upstream check (issue 2) ---------------------------------------------------

    def upstream_rep(self, rep):
        order = ["mock", "nginx-static"]
        if rep % 2:
            order.reverse()
        wd = os.path.join(self.workdir, f"rep{rep}")
        os.makedirs(wd, exist_ok=True)
        for name in order:
            log(f"rep {rep + 1}: upstream {name}")
            if name == "mock":
                s, addr = targets.start_mock(wd, self.s.proxy_cpu, name="mock-alone")
            else:
                s, addr = targets.start_nginx(wd, self.s.proxy_cpu, "nginx-static.conf", name="nginx-static",
                                              HEALTH_BODY='{"status":"ok"}',
                                              CHAT_BODY=targets.nginx_quote(self.chat_body))
                procs.wait_http_ok(*addr, rawhttp.request_bytes(*addr, path="/healthz", body=None, method="GET"),
                                   server=s)
            try:
                get = {"BENCH_METHOD": "GET", "BENCH_PATH": "/healthz"}
                self.wrk(addr, 32, self.s.warmup, env=get)
                small = self.wrk(addr, 32, self.s.duration, server=s, env=get)
                chat = self.wrk(addr, 32, self.s.duration, server=s)
                self.record(rep, name, "upstream_small_json", small)
                self.record(rep, name, "upstream_chat", chat)
                self.samples.add("upstream_small_json_rps", name, small["rps"])
                self.samples.add("upstream_small_json_cpu_us", name, small["server_cpu_us_per_req"])
                self.samples.add("upstream_chat_rps", name, chat["rps"])
                self.samples.add("upstream_chat_cpu_us", name, chat["server_cpu_us_per_req"])
                self.samples.add("load_errors", name, small["errors_total"] + chat["errors_total"])
            finally:
                s.stop()

    # ---- one target, one repetition -----------------------------------------------------

    def target_rep(self, name, rep):
        """Measures one target; returns its latency figures for the added-latency subtraction."""
        log(f"rep {rep + 1}: {name}")
        if name == "direct":
            s, addr = self.upstream, self.up_addr
        else:
            s, addr = self.start_target(name, rep)
        errors = 0
        timing = {}
        try:
            if name != "direct":
                probe = rawhttp.Connection(*addr)
                r = probe.request(rawhttp.request_bytes(*addr))
                probe.close()
                if r.status != 200:
                    raise RuntimeError(f"{name}: probe answered {r.status}: {r.body[:200]!r}")
                if name == "sluice" and r.headers.get("x-sluice-backend") != targets.ROUTE_BACKEND:
                    raise RuntimeError(f"sluice routed to {r.headers.get('x-sluice-backend')}")
                time.sleep(0.3)
                self.samples.add("idle_rss_mib", name, s.rss_kib() / 1024)
                sm = s.smaps()
                self.samples.add("idle_pss_mib", name, sm.get("Pss", 0) / 1024)
                self.samples.add("idle_anon_mib", name, sm.get("Anonymous", 0) / 1024)
                self.record(rep, name, "idle_smaps_kib", sm)
                self.record(rep, name, "affinity", s.affinity())

            served = 0  # requests since the idle RSS was taken, for the growth per request
            if "load" in self.groups:
                served += self.wrk(addr, 32, self.s.warmup)["requests"]
                sat = self.wrk(addr, 32, self.s.duration, server=s)
                c1 = self.wrk(addr, 1, self.s.duration, server=s)
                c8 = self.wrk(addr, 8, self.s.duration, server=s)
                for kind, r in (("c32", sat), ("c1", c1), ("c8", c8)):
                    self.record(rep, name, f"wrk_{kind}", r)
                    errors += r["errors_total"]
                    served += r["requests"]
                self.samples.add("throughput_rps", name, sat["rps"])
                self.samples.add("cpu_us_per_req", name, sat["server_cpu_us_per_req"])
                self.samples.add("cpu_kernel_share", name, 1 - sat["server_user_share"])
                if name != "direct" and self.s.proxy_cpu is not None:
                    self.samples.add("core_utilisation", name, sat["server_core_utilisation"])
                    busy = sat["cpu_busy_share"].get(self.s.proxy_cpu.split(",")[0])
                    if busy is not None:
                        self.samples.add("foreign_on_proxy_cpu", name, max(0.0, busy - sat["server_core_utilisation"]))
                    self.samples.add("runqueue_wait_share", name, sat["server_runqueue_wait_share"])
                lat = {"c1_p50": c1["latency_us"]["p50"], "c1_p99": c1["latency_us"]["p99"],
                       "c8_p50": c8["latency_us"]["p50"], "c8_p99": c8["latency_us"]["p99"]}
                self.samples.add("latency_c1_p50_us", name, lat["c1_p50"])
                timing.update(lat)

            if "stream" in self.groups:
                # Full streams (100 chunks, 5 ms apart) for the total time and incrementality;
                # short ones (5 chunks) in addition, so the first-event median has more samples.
                # The client must not share a CPU with the process writing to it: when it does,
                # every chunk wakes the client, which preempts the mock before it re-arms its 5 ms
                # timer, and the pacing slips by the client's processing time at each chunk
                # (measured: 655 ms instead of 545 for 100 chunks). Through a proxy the writer is
                # the proxy, on the other CPU; for the direct call the client moves to the
                # proxy's CPU, idle in that case.
                with self.pinned(self.s.proxy_cpu if name == "direct" else self.s.load_cpu):
                    client = sse.Client(*addr)
                    sse.stream_once(*addr, tokens=5, client=client)  # opens and warms the connection
                    rs = [sse.stream_once(*addr, client=client) for _ in range(self.s.streams)]
                    short = [sse.stream_once(*addr, tokens=5, client=client) for _ in range(self.s.short_streams)]
                    client.close()
                self.record(rep, name, "sse", rs)
                self.record(rep, name, "sse_short", short)
                first = stats.median([r["first_event_us"] for r in rs + short])
                fastest = min(r["first_event_us"] for r in rs + short)
                total = stats.median([r["total_us"] for r in rs])
                self.samples.add("sse_total_ms", name, total / 1000)
                self.samples.add("sse_incremental", name, all(sse.incremental(r) for r in rs))
                errors += sum(1 for r in rs + short if r["status"] != 200 or not r["done"])
                timing["sse_first_event"], timing["sse_total"], timing["sse_fastest"] = first, total, fastest
                served += len(rs) + len(short) + 1

            if name != "direct" and "memory" in self.groups:
                after_load = s.rss_kib()
                self.samples.add("rss_after_load_mib", name, after_load / 1024)
                if served:
                    idle_kib = self.samples.get("idle_rss_mib", name)[-1] * 1024
                    self.samples.add("rss_growth_bytes_per_req", name, (after_load - idle_kib) * 1024 / served)
                idle = conns.measure(s.pids, lambda n: conns.open_idle(*addr, n), self.s.idle_conns)
                self.record(rep, name, "idle_conns", idle)
                self.samples.add("idle_conn_bytes", name, idle["bytes_per_conn"])
                self.samples.add("idle_conns_rss_mib", name, idle["rss_after_kib"] / 1024)
                act = conns.measure(s.pids, lambda n: conns.open_streams(*addr, n), self.s.active_streams)
                self.record(rep, name, "active_streams", act)
                self.samples.add("active_stream_bytes", name, act["bytes_per_conn"])
                errors += idle["failures"] + act["failures"]

            if name == "sluice" and "reload" in self.groups:
                self.reload_rep(rep, addr)
            self.samples.add("load_errors", name, errors)
        finally:
            if name != "direct":
                s.stop()
                time.sleep(0.3)  # let the mock finish cancelled streams before the next target
        return timing

    def added(self, timings):
        """Each proxy's latency figures minus the direct call's, within one repetition."""
        direct = timings.get("direct")
        if not direct:
            return
        for name, t in timings.items():
            if name == "direct":
                continue
            for k, v in t.items():
                if k in direct:
                    fig = {"sse_first_event": "sse_added_first_event_us", "sse_total": "sse_added_total_us",
                           "sse_fastest": "sse_added_fastest_first_event_us"}.get(k, f"added_{k}_us")
                    self.samples.add(fig, name, v - direct[k])

    def reload_rep(self, rep, addr):
        """Rename-to-new-route time, with a wrk -c2 load running throughout to catch failures."""
        up = f"{self.up_addr[0]}:{self.up_addr[1]}"
        bg_seconds = int(self.s.reloads * 0.4 + 2)
        bg = subprocess.Popen(procs.taskset_argv(self.s.load_cpu, [
            "wrk", "-t1", "-c2", f"-d{bg_seconds}s", "-s", load.LUA, f"http://{addr[0]}:{addr[1]}"]),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(0.3)
        conn = rawhttp.Connection(*addr)
        raw = rawhttp.request_bytes(*addr)
        times, failures, current = [], 0, targets.ROUTE_BACKEND
        for i in range(self.s.reloads):
            want = targets.RELOAD_BACKEND if current == targets.ROUTE_BACKEND else targets.ROUTE_BACKEND
            old = self.sluice_cfg.prepare(targets.sluice_config(up, want))
            t0 = procs.now_ns()
            self.sluice_cfg.commit(old)
            while True:
                r = conn.request(raw)
                t1 = procs.now_ns()
                if r.status != 200:
                    failures += 1
                if r.headers.get("x-sluice-backend") == want:
                    times.append((t1 - t0) / 1e6)
                    break
                if t1 - t0 > 5e9:
                    failures += 1
                    times.append(None)
                    break
            self.sluice_cfg.cleanup(old)
            current = want
            time.sleep(0.15)
        conn.close()
        out, _ = bg.communicate()
        lines = [l for l in out.decode().splitlines() if l.startswith('{"wrk"')]
        bg_result = json.loads(lines[-1]) if lines else None
        bg_errors = sum(bg_result["errors"].values()) if bg_result else 1
        self.record(rep, "sluice", "reload", {"times_ms": times, "poll_failures": failures,
                                               "background_wrk": bg_result})
        ok = [t for t in times if t is not None]
        self.samples.add("reload_ms", "sluice", stats.median(ok) if len(ok) == len(times) else 5000.0)
        self.samples.add("reload_failed_requests", "sluice", failures + bg_errors)

    def start_rep(self, rep):
        """Process start → ready (sluice: its `ready` event) and → first proxied 2xx, fresh each time."""
        wd = os.path.join(self.workdir, f"rep{rep}", "starts")
        os.makedirs(wd, exist_ok=True)
        up = f"{self.up_addr[0]}:{self.up_addr[1]}"
        cfg, secrets = targets.sluice_dirs(wd, up, name="sluice-start")
        for name in [t for t in self.targets if t != "direct"]:
            ready, first, cpu, waited = [], [], [], []
            for i in range(self.s.starts):
                if name == "sluice":
                    s = targets.start_sluice(wd, self.s.proxy_cpu, cfg.path, secrets, name="sluice-start")
                    t_ready, addr = targets.sluice_ready(s)
                    run_ns, wait_ns = s.schedstat()
                    ready.append((t_ready - s.started_ns) / 1e6)
                    cpu.append(run_ns / 1e6)
                    waited.append(wait_ns / 1e6)
                elif name == "nginx":
                    s, addr = targets.start_nginx(wd, self.s.proxy_cpu, "nginx-proxy.conf",
                                                  name="nginx-start", UPSTREAM=up)
                else:
                    s, addr = targets.start_haproxy(wd, self.s.proxy_cpu, up, name="haproxy-start")
                try:
                    t_first = procs.wait_http_ok(*addr, rawhttp.request_bytes(*addr), interval=0.0002, server=s)
                    first.append((t_first - s.started_ns) / 1e6)
                    if name != "sluice":
                        run_ns, wait_ns = s.schedstat()
                        cpu.append(run_ns / 1e6)
                        waited.append(wait_ns / 1e6)
                finally:
                    s.stop()
            self.record(rep, name, "starts", {"ready_ms": ready, "first_response_ms": first, "cpu_ms": cpu,
                                               "runqueue_wait_ms": waited})
            self.samples.add("start_cpu_ms", name, stats.median(cpu))
            self.samples.add("start_runqueue_wait_ms", name, stats.median(waited))
            self.samples.add("start_to_ready_ms", name, stats.median(ready) if ready else stats.median(first))
            self.samples.add("start_to_first_response_ms", name, stats.median(first))

    def log_variant_rep(self, rep):
        """Sluice with its access log on (written to a file), throughput and CPU only."""
        log(f"rep {rep + 1}: sluice with access log")
        s, addr = self.start_target("sluice", rep, access_log=True)
        try:
            self.wrk(addr, 32, self.s.warmup)
            r = self.wrk(addr, 32, self.s.duration, server=s)
            self.record(rep, "sluice", "wrk_c32_access_log", r)
            self.samples.add("throughput_log_rps", "sluice", r["rps"])
            self.samples.add("cpu_log_us_per_req", "sluice", r["server_cpu_us_per_req"])
        finally:
            s.stop()

    # ---- the whole run -----------------------------------------------------------------

    def run(self):
        log(f"work directory {self.workdir}; proxy CPU {self.s.proxy_cpu}, load CPU {self.s.load_cpu}")
        self.upstream, self.up_addr = targets.start_mock(self.workdir, self.s.load_cpu, name="upstream-mock")
        try:
            c = rawhttp.Connection(*self.up_addr)
            self.chat_body = c.request(rawhttp.request_bytes(*self.up_addr)).body
            c.close()
            for rep in range(self.s.reps):
                if "upstream" in self.groups:
                    self.upstream_rep(rep)
                k = rep % max(1, len(self.targets))
                order = self.targets[k:] + self.targets[:k]
                if order and any(g in self.groups for g in ("load", "stream", "memory", "reload")):
                    timings = {name: self.target_rep(name, rep) for name in order}
                    self.added(timings)
                if "load" in self.groups and "sluice" in self.targets and not self.s.quick:
                    self.log_variant_rep(rep)
                if "start" in self.groups:
                    log(f"rep {rep + 1}: starts")
                    self.start_rep(rep)
        finally:
            self.upstream.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["all", "upstream", "proxy"], default="all",
                    help="upstream: sluice-mock vs nginx `return 200` (issue 2); proxy: added CPU and "
                         "latency of nginx and sluice versus a direct call (issue 3); all: everything")
    ap.add_argument("--targets", default=None, help="comma-separated subset of direct,nginx,haproxy,sluice")
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="1 repetition, short runs (same as BENCH_QUICK=1)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (configs, logs)")
    args = ap.parse_args()
    settings = Settings(args)
    if args.only == "upstream":
        groups, names = {"upstream"}, []
    elif args.only == "proxy":
        groups, names = {"load"}, ["direct", "nginx", "sluice"]
    else:
        groups, names = {"upstream", "load", "stream", "memory", "reload", "start"}, list(report.TARGETS)
    if args.targets:
        names = [t for t in report.TARGETS if t in args.targets.split(",")]
    if settings.load_cpu is not None:
        os.sched_setaffinity(0, {int(c) for c in settings.load_cpu.split(",")})
    conns.raise_nofile(max(settings.idle_conns, settings.active_streams) * 3)

    machine = machine_info()
    started = time.monotonic()
    bench = Bench(settings, groups, names)
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so every server started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        bench.run()
    finally:
        procs.stop_all()
        if not args.keep:
            shutil.rmtree(bench.workdir, ignore_errors=True)
    machine["loadavg_end"] = os.getloadavg()
    summary = bench.samples.summary()
    targets_table, verdicts = report.table(summary, names)
    upstream_table, up_verdicts = report.upstream_table(summary)
    result = {
        "machine": machine, "settings": settings.as_dict(), "groups": sorted(groups), "targets": names,
        "elapsed_s": round(time.monotonic() - started, 1), "figures": summary,
        "verdicts": {**verdicts, **up_verdicts}, "raw": bench.raw,
        "notes": {
            "pinning": "proxy under test alone on the proxy CPU; wrk, the upstream sluice-mock and the "
                       "Python clients on the load CPU (taskset)",
            "access_log": "off for nginx, haproxy and sluice in every run except the *_log figures "
                          "(sluice's JSON access log written to a file)",
            "added": "target minus direct in the same repetition",
            "memory": "VmRSS summed over the target's processes (nginx: master + worker)",
        },
    }
    os.makedirs(RESULTS, exist_ok=True)
    stem = "latest" if args.only == "all" and not args.targets else f"latest-{args.only}"
    path = os.path.join(RESULTS, f"{stem}.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    shutil.copy(path, os.path.join(RESULTS, f"{stem}-{stamp}.json"))

    print()
    print(f"Sluice benchmark — {machine['date']} — {machine['cpu']} ({machine['cpus']} CPUs), "
          f"commit {machine['git_commit']}, {settings.reps} repetition(s), {settings.duration}s per wrk run, "
          f"load average {machine['loadavg_start'][0]:.2f} → {machine['loadavg_end'][0]:.2f}")
    print(f"Proxy pinned to CPU {settings.proxy_cpu}, wrk/mock/clients to CPU {settings.load_cpu}; "
          f"{settings.idle_conns:,} idle connections, {settings.active_streams} active streams, "
          f"{settings.streams} + {settings.short_streams} SSE streams per repetition.")
    print("Cells: median of the repetitions (min–max). Access log off except where stated.")
    if "upstream" in groups:
        print()
        print(upstream_table)
    if names:
        print()
        print(targets_table)
    print()
    print(f"results: {path} ({result['elapsed_s']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
