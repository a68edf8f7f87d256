"""Helpers to run the sidecar against sluice-mock with a config written for the test."""
import json
import os
import tempfile

from conftest import ROOT


def write_config(directory, backends, routes, secrets=None, defaults=None, extra=None):
    """Writes config.json (listeners on free ports, `extra` root members such as consumers) and
    secret files; returns (config_dir, secrets_dir)."""
    config_dir = os.path.join(directory, "config")
    secrets_dir = os.path.join(directory, "secrets")
    os.makedirs(config_dir, exist_ok=True)
    os.makedirs(secrets_dir, exist_ok=True)
    for name, value in (secrets or {}).items():
        os.makedirs(os.path.dirname(os.path.join(secrets_dir, name)), exist_ok=True)
        with open(os.path.join(secrets_dir, name), "w") as f:
            f.write(value)
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
              "backends": backends, "routes": routes}
    if defaults:
        config["defaults"] = defaults
    config.update(extra or {})
    with open(os.path.join(config_dir, "config.json"), "w") as f:
        json.dump(config, f)
    return config_dir, secrets_dir


def mock_backend(mock, name="mock", provider="openai", key_file="mock-key", **extra):
    host, port = mock.address
    backend = {"name": name, "provider": provider, "baseURL": f"http://{host}:{port}/v1"}
    if key_file:
        backend["credentials"] = {"file": key_file, "header": "authorization"}
    backend.update(extra)
    return backend


def start_sidecar(start, tmp_path, backends, routes, secrets=None, defaults=None, args=(), extra=None):
    config_dir, secrets_dir = write_config(str(tmp_path), backends, routes, secrets, defaults, extra)
    server = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets_dir, "--workers", "2", *args, listeners=3)
    server.config_dir, server.secrets_dir = config_dir, secrets_dir
    return server
