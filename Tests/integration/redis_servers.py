"""Real `redis-server`s for the integration tests: one server, or a three-node Redis Cluster
joined by `redis-cli --cluster create`, each on a free 127.0.0.1 port in a temporary
directory, without persistence; stopped by the fixture that started them. Administration
goes through `redis-cli` (no Python Redis package)."""
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

from conftest import poll_until

SERVER = shutil.which("redis-server")
CLI = shutil.which("redis-cli")


def free_port():
    """A free port at most 55535: a cluster node also listens on its port + 10000."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port <= 55535:
            return port


class RedisServer:
    """One server. `stop()` kills it (what a crash looks like to clients); `start()` starts it
    again on the same port, empty."""

    def __init__(self, *extra, tls=None):
        """`tls`: (ca, cert, key) paths: the server listens with TLS only (clients need no certificate)."""
        self.tls = tls
        self.port = free_port()
        self.directory = tempfile.mkdtemp(prefix="sluice-redis-")
        self.extra = list(extra)
        self.password = extra[extra.index("--requirepass") + 1] if "--requirepass" in extra else None
        self.proc = None
        self.start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self):
        if self.tls:
            ca, cert, key = self.tls
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", cert, "--tls-key-file", key,
                      "--tls-ca-cert-file", ca, "--tls-auth-clients", "no"]
        else:
            listen = ["--port", str(self.port)]
        self.proc = subprocess.Popen([SERVER, *listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                      "--dir", self.directory, "--logfile", os.path.join(self.directory, "redis.log"), *self.extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        poll_until(lambda: self.proc.poll() is not None or self.cli("PING") == "PONG", message=f"redis-server on {self.port}")
        assert self.proc.poll() is None, open(os.path.join(self.directory, "redis.log")).read()[-2000:]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def cli(self, *args):
        """One command's reply as redis-cli prints it (raw), or None when the server does not answer."""
        try:
            auth = ["-a", self.password, "--no-auth-warning"] if self.password else []
            if self.tls:
                auth += ["--tls", "--cacert", self.tls[0]]
            result = subprocess.run([CLI, "-h", "127.0.0.1", "-p", str(self.port), "--raw", *auth, *args],
                                    capture_output=True, text=True, timeout=5)
        except subprocess.TimeoutExpired:
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    def remove(self):
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisCluster:
    """Three primaries, no replicas, every slot covered."""

    def __init__(self):
        self.nodes = [RedisServer("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                  "--cluster-node-timeout", "5000") for _ in range(3)]
        subprocess.run([CLI, "--cluster", "create", *[node.address for node in self.nodes], "--cluster-replicas", "0",
                        "--cluster-yes"], check=True, capture_output=True, timeout=60)
        poll_until(lambda: all("cluster_state:ok" in (node.cli("CLUSTER", "INFO") or "") for node in self.nodes)
                   and len({self._slot_map_seen_by(node) for node in self.nodes}) == 1,
                   timeout=30, message="cluster_state:ok on every node, and one slot map")

    @staticmethod
    def _slot_map_seen_by(node):
        """(node id, slot ranges) of every primary, as `node` sees them."""
        seen = []
        for line in (node.cli("CLUSTER", "NODES") or "").splitlines():
            fields = line.split()
            if "master" in fields[2]:
                seen.append((fields[0], tuple(part for part in fields[8:] if not part.startswith("["))))
        return tuple(sorted(seen))

    def owner(self, slot):
        """The node serving `slot`."""
        for node in self.nodes:
            for line in (node.cli("CLUSTER", "NODES") or "").splitlines():
                fields = line.split()
                if "myself" not in fields[2]:
                    continue
                for part in fields[8:]:
                    if "-" in part and not part.startswith("["):
                        low, high = map(int, part.split("-"))
                    elif part.isdigit():
                        low = high = int(part)
                    else:
                        continue
                    if low <= slot <= high:
                        return node
        raise AssertionError(f"no node serves slot {slot}")

    def node_id(self, node):
        return node.cli("CLUSTER", "MYID")

    def move_slot(self, slot, target):
        """Moves `slot` and its keys to `target` the way `redis-cli --cluster reshard` does:
        importing/migrating, MIGRATE of each key, then SETSLOT NODE on every node."""
        source = self.owner(slot)
        assert source is not target
        target.cli("CLUSTER", "SETSLOT", str(slot), "IMPORTING", self.node_id(source))
        source.cli("CLUSTER", "SETSLOT", str(slot), "MIGRATING", self.node_id(target))
        while True:
            keys = (source.cli("CLUSTER", "GETKEYSINSLOT", str(slot), "100") or "").split()
            if not keys:
                break
            source.cli("MIGRATE", "127.0.0.1", str(target.port), "", "0", "5000", "KEYS", *keys)
        for node in self.nodes:
            node.cli("CLUSTER", "SETSLOT", str(slot), "NODE", self.node_id(target))
        poll_until(lambda: all(self._owner_seen_by(node, slot) == self.node_id(target) for node in self.nodes),
                   timeout=20, message=f"every node agreeing that slot {slot} moved")

    @staticmethod
    def _owner_seen_by(node, slot):
        for line in (node.cli("CLUSTER", "NODES") or "").splitlines():
            fields = line.split()
            for part in fields[8:]:
                if part == str(slot) or ("-" in part and not part.startswith("[")
                                         and int(part.split("-")[0]) <= slot <= int(part.split("-")[1])):
                    return fields[0]
        return None

    def remove(self):
        for node in self.nodes:
            node.remove()


@pytest.fixture
def redis_server():
    if not SERVER or not CLI:
        pytest.skip("redis-server is not installed (make test installs it)")
    server = RedisServer()
    yield server
    server.remove()


@pytest.fixture
def redis_cluster():
    if not SERVER or not CLI:
        pytest.skip("redis-server is not installed (make test installs it)")
    cluster = RedisCluster()
    yield cluster
    cluster.remove()
