"""The servers of a run: the upstream mock, and the targets (nginx, haproxy, sluice) in
front of it. Each start returns a procs.Server plus the address to send traffic to."""
import json
import os
import string
import subprocess

from . import procs, rawhttp

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONF_DIR = os.path.join(BENCH_DIR, "conf")
ROOT = os.path.dirname(BENCH_DIR)
# BENCH_BIN_DIR: another build's binaries (a debug build, to check a script works; never for figures).
RELEASE = os.path.abspath(os.environ["BENCH_BIN_DIR"]) if os.environ.get("BENCH_BIN_DIR") else os.path.join(ROOT, ".build", "release")

# The backend the benchmark's model (gpt-4o-mini) is routed to, and where a reload moves it.
ROUTE_BACKEND = "mock-openai"
RELOAD_BACKEND = "mock-openai-canary"


def render(template_name, out_path, **values):
    with open(os.path.join(CONF_DIR, template_name)) as f:
        text = string.Template(f.read()).substitute(values)
    with open(out_path, "w") as f:
        f.write(text)
    return out_path


def nginx_quote(body):
    """A JSON body as an nginx single-quoted string (no variables may appear in it)."""
    text = body.decode()
    if "$" in text:
        raise ValueError("body contains '$', which nginx would expand")
    return text.replace("\\", "\\\\").replace("'", "\\'")


def start_mock(workdir, cpus, name="mock", workers=1):
    s = procs.Server(name, [os.path.join(RELEASE, "sluice-mock"), "--listen", "127.0.0.1:0",
                            "--workers", str(workers)], cpus, os.path.join(workdir, f"{name}.log"))
    host, port = s.listening("mock")
    return s, (host, port)


def start_nginx(workdir, cpus, template, name="nginx", **values):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    port = procs.free_port()
    conf = render(template, os.path.join(d, "nginx.conf"), DIR=d, LISTEN=f"127.0.0.1:{port}", **values)
    s = procs.Server(name, ["nginx", "-c", conf, "-p", d], cpus, os.path.join(workdir, f"{name}.log"))
    return s, ("127.0.0.1", port)


def start_haproxy(workdir, cpus, upstream, name="haproxy"):
    d = os.path.join(workdir, name)
    os.makedirs(d, exist_ok=True)
    port = procs.free_port()
    conf = render("haproxy.cfg", os.path.join(d, "haproxy.cfg"), LISTEN=f"127.0.0.1:{port}", UPSTREAM=upstream)
    s = procs.Server(name, ["haproxy", "-db", "-f", conf], cpus, os.path.join(workdir, f"{name}.log"))
    return s, ("127.0.0.1", port)


def sluice_config(upstream, model_backend):
    """A realistic small config: three providers' routes matched on the body's model, the
    benchmark's model (gpt-4o-mini) on the second route, credentials injected."""
    base = f"http://{upstream}/v1"
    return {
        "apiVersion": "sluice.dev/v1alpha1",
        "kind": "ProxyConfig",
        "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
        "defaults": {"timeouts": {"connect": "2s", "firstByte": "60s", "idle": "30s", "total": "10m"}},
        "backends": [
            {"name": "mock-deepseek", "provider": "deepseek", "baseURL": base,
             "credentials": {"file": "deepseek-key", "header": "authorization"}},
            {"name": ROUTE_BACKEND, "provider": "openai", "baseURL": base,
             "credentials": {"file": "openai-key", "header": "authorization"}},
            {"name": RELOAD_BACKEND, "provider": "openai", "baseURL": base,
             "credentials": {"file": "openai-key", "header": "authorization"}},
        ],
        "routes": [
            {"name": "deepseek", "match": {"model": {"glob": "deepseek-*"}},
             "split": [{"backend": "mock-deepseek", "weight": 1}]},
            {"name": "openai", "match": {"paths": ["/v1/chat/completions"], "model": {"glob": "gpt-4o*"}},
             "split": [{"backend": model_backend, "weight": 1}]},
            {"name": "default", "split": [{"backend": "mock-deepseek", "weight": 1}]},
        ],
    }


class ConfigMapDir:
    """A config directory laid out like a kubelet-mounted ConfigMap: the data in a
    `..<timestamp>` directory, `..data` pointing at it, `config.json` -> `..data/config.json`.
    update() swaps `..data` atomically, exactly as kubelet does."""

    def __init__(self, path, config):
        self.path = path
        self.generation = 0
        os.makedirs(path, exist_ok=True)
        self._write_generation(config)
        os.symlink(self._gen_name(), os.path.join(path, "..data"))
        os.symlink("..data/config.json", os.path.join(path, "config.json"))

    def _gen_name(self):
        return f"..2026_01_01_00_00_00.{self.generation:09d}"

    def _write_generation(self, config):
        d = os.path.join(self.path, self._gen_name())
        os.makedirs(d)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=1)

    def prepare(self, config):
        """Writes the next generation and a temporary symlink to it; commit() makes it live."""
        old = self._gen_name()
        self.generation += 1
        self._write_generation(config)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(self._gen_name(), tmp)
        return old

    def commit(self, old):
        os.rename(os.path.join(self.path, "..data_tmp"), os.path.join(self.path, "..data"))
        return old

    def cleanup(self, old):
        d = os.path.join(self.path, old)
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)


def sluice_dirs(workdir, upstream, name="sluice"):
    d = os.path.join(workdir, name)
    secrets = os.path.join(d, "secrets")
    os.makedirs(secrets, exist_ok=True)
    for f in ("openai-key", "deepseek-key"):
        with open(os.path.join(secrets, f), "w") as fh:
            fh.write(f"sk-bench-{f}\n")
    config = ConfigMapDir(os.path.join(d, "config"), sluice_config(upstream, ROUTE_BACKEND))
    return config, secrets


def start_sluice(workdir, cpus, config_dir, secrets_dir, name="sluice", access_log=False, workers=1,
                 stdout_path=None):
    """The sidecar with --workers 1; its access log off unless asked for (then to stdout_path)."""
    argv = [os.path.join(RELEASE, "sluice"), "--config-dir", config_dir, "--secrets-dir", secrets_dir,
            "--workers", str(workers), "--drain-timeout", "1s"]
    if not access_log:
        argv.append("--no-access-log")
    out = open(stdout_path, "ab") if stdout_path else subprocess.DEVNULL
    try:
        return procs.Server(name, argv, cpus, os.path.join(workdir, f"{name}.log"), stdout=out)
    finally:
        if stdout_path:
            out.close()


def sluice_ready(s):
    """(ns at ready event, app (host, port)) once the sidecar has printed `ready`."""
    t, _ = s.wait_event(lambda e: e.get("event") == "ready")
    return t, s.listening("app")


def probe_request(host, port):
    return rawhttp.request_bytes(host, port)
