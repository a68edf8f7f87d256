"""A CPU profile of the proxied path: sluice (--workers 1, access log off) alone on the proxy
CPU, sluice-mock and wrk -c32 on the load CPU, `perf record -g` on sluice during the run.

Writes bench/results/profile.txt: CPU by shared object, the top functions by self time,
and the top call paths by inclusive time, Swift names demangled.

Standalone: bench/profile.sh [--seconds 10] [--target sluice|nginx] [--call-graph fp|dwarf]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from . import load, procs, rawhttp, targets

RESULTS = os.path.join(targets.BENCH_DIR, "results")


def demangle(text):
    swift = shutil.which("swift-demangle") or shutil.which("swift")
    if not swift:
        return text
    argv = [swift] if swift.endswith("swift-demangle") else [swift, "demangle"]
    out = subprocess.run(argv + ["--simplified", "--compact"], input=text.encode(), stdout=subprocess.PIPE)
    return out.stdout.decode(errors="replace") if out.returncode == 0 else text


def perf_report(data, *args, limit="0.5"):
    argv = ["perf", "report", "-i", data, "--stdio", "-q", "--percent-limit", limit] + list(args)
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return [l.rstrip() for l in out.stdout.decode(errors="replace").splitlines()
            if l.strip() and not l.startswith("#")]


def flat(lines, top):
    """Lines that start with a percentage, sorted by it, IPC columns dropped."""
    rows = []
    for l in lines:
        head = l.split()
        if head and head[0].endswith("%"):
            rows.append((float(head[0].rstrip("%")), re.sub(r"\s+-\s+-\s*$", "", l)))
    rows.sort(key=lambda r: -r[0])
    return "\n".join(r[1] for r in rows[:top])


CATEGORIES = [
    ("kernel (system calls, loopback TCP, scheduling)", lambda dso, sym: dso.startswith("[kernel") or dso == "[vdso]"),
    ("libcurl (its own code)", lambda dso, sym: dso.startswith("libcurl")),
    ("malloc / free (libc)", lambda dso, sym: dso.startswith("libc.") and re.search(
        r"malloc|free|_int_|realloc|calloc|consolidate|tcache|unlink_chunk|sysmalloc", sym) is not None),
    ("libc, other (memcpy, string functions, locks)", lambda dso, sym: dso.startswith("libc.")),
    ("Swift runtime (retain/release, allocation, casts)", lambda dso, sym: re.search(
        r"^swift_|swift::|_swift_|RefCount|swift_retain|swift_release|__swift", sym) is not None),
    ("the program's own code", lambda dso, sym: not dso.startswith("[") and "." not in dso.split("/")[-1]),
    ("other shared libraries (OpenSSL, nghttp2, zlib, …)", lambda dso, sym: True),
]


def categories(data, cpu_us_per_req):
    """Self time grouped by where it goes, in % and in µs per request."""
    totals = {name: 0.0 for name, _ in CATEGORIES}
    for line in perf_report(data, "--no-children", "--sort", "dso,sym", "-g", "none", limit="0"):
        m = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*?)\s*(?:-\s+-)?\s*$", line)
        if not m:
            continue
        pct, dso, sym = float(m.group(1)), m.group(2), m.group(3)
        for name, test in CATEGORIES:
            if test(dso, sym):
                totals[name] += pct
                break
    rows = [f"    {pct:5.1f} %  {pct * cpu_us_per_req / 100:6.1f} µs/request  {name}"
            for name, pct in sorted(totals.items(), key=lambda kv: -kv[1])]
    return "\n".join(rows)


def syscalls_per_request(server, addr, connections, seconds, load_cpu):
    """Counts the server's system calls with `perf trace -s` during a wrk run: calls per request."""
    pids = ",".join(str(p) for p in server.pids())
    tracer = subprocess.Popen(["perf", "trace", "-s", "-p", pids], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    r = load.wrk(*addr, connections, seconds, load_cpu)
    tracer.send_signal(2)
    _, err = tracer.communicate()
    counts = {}
    for line in err.decode(errors="replace").splitlines():
        m = re.match(r"^\s+([a-z_0-9]+)\s+(\d+)\s+(\d+)\s+[\d.]+\s", line)
        if m:
            counts[m.group(1)] = counts.get(m.group(1), 0) + int(m.group(2))
    total = sum(counts.values())
    rows = [f"    {n / r['requests']:7.2f}  {name}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])
            if n / r["requests"] >= 0.01]
    return (f"{total / max(1, r['requests']):.2f} system calls per request "
            f"({r['requests']} requests at {r['rps']:.0f} req/s under perf trace)\n" + "\n".join(rows))


def allocations_per_request(server, addr, connections, seconds, load_cpu):
    """malloc/calloc/realloc calls per request, counted with uprobes on libc (`perf probe`),
    which every allocation goes through (Swift's swift_slowAlloc, libcurl, nginx's pools).
    The probes are removed afterwards."""
    libc = next((p for p in ("/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6",
                             "/usr/lib64/libc.so.6") if os.path.exists(p)), None)
    if libc is None:
        return "libc not found: allocations not counted"
    funcs = ["malloc", "calloc", "realloc"]
    added = []
    try:
        for f in funcs:
            out = subprocess.run(["perf", "probe", "-q", "-x", libc, "--add", f"sluicebench_{f}={f}"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if out.returncode == 0:
                added.append(f)
        if not added:
            return "perf probe could not add uprobes: allocations not counted"
        pids = ",".join(str(p) for p in server.pids())
        events = ",".join(f"probe_libc:sluicebench_{f}" for f in added)
        stat = subprocess.Popen(["perf", "stat", "-x", ",", "-e", events, "-p", pids],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        r = load.wrk(*addr, connections, seconds, load_cpu)
        stat.send_signal(2)
        _, err = stat.communicate()
        counts = {}
        for line in err.decode(errors="replace").splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("probe_libc:sluicebench_") and fields[0].isdigit():
                counts[fields[2].rsplit("_", 1)[1]] = int(fields[0])
        n = max(1, r["requests"])
        per = {f: counts.get(f, 0) / n for f in added}
        return (f"{sum(per.values()):.1f} allocations per request ({r['requests']} requests under uprobes): "
                + ", ".join(f"{f} {v:.1f}" for f, v in per.items()))
    finally:
        for f in added:
            subprocess.run(["perf", "probe", "-q", "--del", f"probe_libc:sluicebench_{f}"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--target", choices=["sluice", "nginx"], default="sluice")
    ap.add_argument("--call-graph", default="dwarf,16384",
                    help="perf --call-graph mode: dwarf,16384 (default; libc and libcurl have no frame pointers) or fp")
    ap.add_argument("--frequency", default="799", help="perf samples per second")
    ap.add_argument("--connections", type=int, default=32)
    a = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("profile: perf is not installed (apt-get install linux-perf)")
    ncpu = len(os.sched_getaffinity(0))
    proxy_cpu, load_cpu = ("1", "0") if ncpu >= 2 else (None, None)
    if load_cpu:
        os.sched_setaffinity(0, {0})
    wd = tempfile.mkdtemp(prefix="sluice-profile-")
    mock, up = targets.start_mock(wd, load_cpu, name="upstream-mock")
    upstream = f"{up[0]}:{up[1]}"
    try:
        if a.target == "sluice":
            cfg, secrets = targets.sluice_dirs(wd, upstream)
            s = targets.start_sluice(wd, proxy_cpu, cfg.path, secrets)
            _, addr = targets.sluice_ready(s)
        else:
            s, addr = targets.start_nginx(wd, proxy_cpu, "nginx-proxy.conf", UPSTREAM=upstream)
            procs.wait_http_ok(*addr, rawhttp.request_bytes(*addr), server=s)
        try:
            load.wrk(*addr, a.connections, 2, load_cpu)
            data = os.path.join(wd, "perf.data")
            pids = ",".join(str(p) for p in s.pids())
            perf = subprocess.Popen(["perf", "record", "-F", a.frequency, "--call-graph", a.call_graph,
                                     "-p", pids, "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(0.3)
            r = load.wrk(*addr, a.connections, a.seconds, load_cpu, server=s)
            perf.send_signal(2)
            perf.wait()
            syscalls = syscalls_per_request(s, addr, a.connections, 3, load_cpu)
            allocations = allocations_per_request(s, addr, a.connections, 3, load_cpu)
        finally:
            s.stop()
        by_category = categories(data, r["server_cpu_us_per_req"])
        by_dso = flat(perf_report(data, "--no-children", "--sort", "dso", "-g", "none"), 10)
        by_symbol = flat(perf_report(data, "--no-children", "--sort", "dso,sym", "-g", "none"), 40)
        inclusive = flat(perf_report(data, "--children", "--sort", "dso,sym", "-g", "none"), 40)
        callers = "\n".join(perf_report(data, "--no-children", "--sort", "sym", "--max-stack", "14",
                                         "-g", "caller,1,callee,function,percent", limit="1.5"))
        text = demangle(
            f"# {a.target} under wrk -t1 -c{a.connections} for {a.seconds}s: {r['rps']:.0f} req/s, "
            f"{r['server_cpu_us_per_req']:.1f} µs CPU per request "
            f"({100 * (1 - r['server_user_share']):.0f} % in the kernel), {r['errors_total']} errors\n"
            f"# perf record -F {a.frequency} --call-graph {a.call_graph}; self time is where the CPU was, inclusive time "
            f"counts callees too (with dwarf unwinding, deep stacks may be cut short)\n\n"
            f"## System calls per request\n{syscalls}\n\n"
            f"## Allocations per request\n{allocations}\n\n"
            f"## Self time by kind of work\n{by_category}\n\n"
            f"## Self time by shared object\n{by_dso}\n\n"
            f"## Self time by function (top)\n{by_symbol}\n\n"
            f"## Inclusive time (children included)\n{inclusive}\n\n"
            f"## Call paths into the hottest functions\n{callers}\n")
        os.makedirs(RESULTS, exist_ok=True)
        path = os.path.join(RESULTS, f"profile-{a.target}.txt")
        with open(path, "w") as f:
            f.write(text)
        print(text[:6000])
        print(f"\nfull profile: {path}")
    finally:
        procs.stop_all()
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    main()
