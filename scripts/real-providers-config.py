"""Writes a proxy config (and its secret files) for the real providers whose keys are set.

Used by `make run`: DEEPSEEK_API_KEY, OPENAI_API_KEY, DASHSCOPE_API_KEY. Each provider
gets a backend and a route for its model family; the first one is also the default."""
import json
import os
import sys

PROVIDERS = [
    ("OPENAI_API_KEY", "openai", "openai", "https://api.openai.com/v1", "gpt-*"),
    ("DEEPSEEK_API_KEY", "deepseek", "deepseek", "https://api.deepseek.com/v1", "deepseek-*"),
    ("DASHSCOPE_API_KEY", "dashscope", "dashscope", "https://dashscope.aliyuncs.com/compatible-mode/v1", "qwen-*"),
]


def main(config_path, secrets_dir):
    backends, routes = [], []
    for env, name, provider, url, glob in PROVIDERS:
        key = os.environ.get(env)
        if not key:
            continue
        with open(os.path.join(secrets_dir, f"{name}-api-key"), "w") as f:
            f.write(key)
        os.chmod(os.path.join(secrets_dir, f"{name}-api-key"), 0o600)
        backends.append({"name": name, "provider": provider, "baseURL": url,
                         "credentials": {"file": f"{name}-api-key", "header": "authorization"}})
        routes.append({"name": name, "match": {"model": {"glob": glob}}, "split": [{"backend": name, "weight": 1}]})
    routes.append({"name": "default", "split": [{"backend": backends[0]["name"], "weight": 1}]})
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:4000", "admin": "127.0.0.1:4001", "metrics": "127.0.0.1:4090"},
              "backends": backends, "routes": routes}
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
