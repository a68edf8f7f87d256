"""wrk runs: one thread, N connections, the POST body of bench/post.lua; the server's
CPU time is read from /proc around the run."""
import json
import os
import subprocess
import time

from . import procs

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(BENCH_DIR, "post.lua")


def wrk(host, port, conns, seconds, cpus, server=None, env_extra=None, timeout_s=10):
    """Runs wrk; returns its JSON summary plus rps, and cpu_us_per_req when server is given."""
    env = dict(os.environ)
    env.update(env_extra or {})
    argv = procs.taskset_argv(cpus, ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s",
                                     f"--timeout={timeout_s}s", "-s", LUA, f"http://{host}:{port}"])
    all_cpus = range(os.cpu_count() or 1)
    split0 = server.cpu_split() if server else None
    sched0 = server.schedstat() if server else None
    busy0 = procs.cpu_busy(all_cpus)
    t0 = time.monotonic()
    out = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    wall = time.monotonic() - t0
    busy1 = procs.cpu_busy(all_cpus)
    split1 = server.cpu_split() if server else None
    sched1 = server.schedstat() if server else None
    lines = [l for l in out.stdout.decode().splitlines() if l.startswith('{"wrk"')]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout.decode()[-500:]} {out.stderr.decode()[-500:]}")
    r = json.loads(lines[-1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors_total"] = sum(r["errors"].values())
    # How busy each CPU was (by anyone: on a shared machine, other work shows up here).
    r["cpu_busy_share"] = {str(c): (busy1[c] - busy0[c]) / procs.CLK_TCK / wall for c in busy0}
    if server is not None and r["requests"] > 0:
        user = (split1[0] - split0[0]) / procs.CLK_TCK
        system = (split1[1] - split0[1]) / procs.CLK_TCK
        cpu_s = user + system
        r["server_cpu_s"] = cpu_s
        r["server_user_share"] = user / cpu_s if cpu_s else None
        r["server_cpu_us_per_req"] = cpu_s * 1e6 / r["requests"]
        # Share of one core the server used: ~1.0 means it was the bottleneck.
        r["server_core_utilisation"] = cpu_s / wall
        # Time its threads were runnable but waiting for a CPU (others had it), per second.
        r["server_runqueue_wait_share"] = (sched1[1] - sched0[1]) / 1e9 / wall
    return r
