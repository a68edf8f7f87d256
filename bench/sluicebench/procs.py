"""Starting, pinning, observing and stopping the processes under test.

Everything here reads /proc directly: CPU time is utime+stime of every process in
the server's tree (nginx's master and worker, for instance), memory is VmRSS summed
over the same tree.
"""
import json
import os
import signal
import socket
import subprocess
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def now_ns():
    return time.perf_counter_ns()


def taskset_argv(cpus, argv):
    """Pins with taskset when there is more than one CPU to choose from."""
    if cpus is None:
        return list(argv)
    return ["taskset", "-c", cpus] + list(argv)


def free_port():
    """A port the kernel considers free right now (for servers that cannot bind port 0 and report it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def descendants(pid):
    """pid and every process below it, from /proc/PID/task/*/children."""
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return seen


def cpu_split(pids):
    """(utime, stime) in clock ticks summed over pids; fields 14 and 15 of /proc/PID/stat."""
    user = system = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            user += int(fields[11])
            system += int(fields[12])
        except OSError:
            pass
    return user, system


def cpu_ticks(pids):
    """utime+stime (clock ticks) summed over pids."""
    return sum(cpu_split(pids))


def smaps_rollup(pids):
    """{field: KiB} summed over pids from /proc/PID/smaps_rollup (Pss, Anonymous, Shared_Clean, …)."""
    out = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 3 and parts[2] == "kB":
                        out[parts[0].rstrip(":")] = out.get(parts[0].rstrip(":"), 0) + int(parts[1])
        except OSError:
            pass
    return out


def schedstat(pids):
    """(ns on a CPU, ns waiting in a run queue) summed over every thread of pids, from
    /proc/PID/task/TID/schedstat: nanosecond precision, and the wait shows contention."""
    run = wait = 0
    for p in pids:
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            try:
                with open(f"/proc/{p}/task/{t}/schedstat") as f:
                    a, b, _ = f.read().split()
                run += int(a)
                wait += int(b)
            except (OSError, ValueError):
                pass
    return run, wait


def cpu_busy(cpus):
    """{cpu: busy ticks} from /proc/stat (everything but idle and iowait), for the given CPU numbers."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            name = line.split(" ", 1)[0]
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                v = [int(x) for x in line.split()[1:]]
                out[int(name[3:])] = sum(v[:8]) - v[3] - v[4]
    return out


def rss_kib(pids):
    """VmRSS (KiB) summed over pids."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class Server:
    """A process whose stderr is read by a thread: each line is timestamped on arrival,
    copied to a log file, and parsed as a JSON event when it is one."""

    running = []  # every Server not yet stopped, so stop_all() can clean up after a failure

    def __init__(self, name, argv, cpus, log_path, stdout=subprocess.DEVNULL, env=None):
        self.name = name
        self.argv = taskset_argv(cpus, argv)
        self.cpus = cpus
        self.events = []  # (perf_counter_ns at read, dict)
        self._cond = threading.Condition()
        self._log = open(log_path, "ab")
        self.started_ns = now_ns()
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=stdout,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        Server.running.append(self)

    def _read(self):
        for line in iter(self.proc.stderr.readline, b""):
            t = now_ns()
            self._log.write(line)
            event = None
            if line.startswith(b"{"):
                try:
                    event = json.loads(line)
                except ValueError:
                    pass
            if isinstance(event, dict):
                with self._cond:
                    self.events.append((t, event))
                    self._cond.notify_all()
        self._log.flush()
        with self._cond:
            self._cond.notify_all()

    def wait_event(self, predicate, timeout=20.0):
        """The first event matching predicate, as (arrival ns, event); raises on timeout or exit."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for t, e in self.events:
                    if predicate(e):
                        return t, e
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before the expected event; see {self._log.name}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"{self.name}: no expected event within {timeout}s; see {self._log.name}")
                self._cond.wait(min(left, 0.5))

    def listening(self, listener):
        _, e = self.wait_event(lambda e: e.get("event") == "listening" and e.get("name") == listener)
        host, port = e["address"].rsplit(":", 1)
        return host, int(port)

    def pids(self):
        return descendants(self.proc.pid)

    def cpu_ticks(self):
        return cpu_ticks(self.pids())

    def cpu_split(self):
        return cpu_split(self.pids())

    def schedstat(self):
        return schedstat(self.pids())

    def smaps(self):
        return smaps_rollup(self.pids())

    def rss_kib(self):
        return rss_kib(self.pids())

    def affinity(self):
        try:
            return sorted(os.sched_getaffinity(self.proc.pid))
        except OSError:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        if self in Server.running:
            Server.running.remove(self)
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._reader.join(2)
        self._log.close()


def stop_all():
    """Stops every server still running (after an error or an interrupt)."""
    for server in list(Server.running):
        server.stop()


def wait_http_ok(host, port, request, timeout=10.0, interval=0.0005, server=None):
    """Polls until request (raw bytes) gets a 2xx status line; returns perf_counter_ns then.
    With server, gives up as soon as that process has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}; see {server._log.name}")
        try:
            with socket.create_connection((host, port), timeout=1) as s:
                s.sendall(request)
                head = s.recv(64)
                if head.startswith(b"HTTP/1.1 2") or head.startswith(b"HTTP/1.0 2"):
                    return now_ns()
        except OSError:
            pass
        time.sleep(interval)
    raise RuntimeError(f"{host}:{port} did not answer 2xx within {timeout}s")
