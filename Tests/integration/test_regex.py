"""Regular expressions in route conditions (issue 14, part 1): a pattern that makes a
backtracking engine take minutes is answered at once, the event loop keeps serving meanwhile,
and `sluice validate` refuses what needs backtracking with the JSON path and the feature."""
import json
import os
import subprocess
import threading

from conftest import BIN_DIR, Reader, chat_body, connect, post, request
from sidecar import mock_backend, write_config

NESTED = {"name": "nested", "match": {"model": {"regex": "(a+)+$"}}, "split": [{"backend": "mock", "weight": 1}]}
# 24 a's and a "!": a backtracking engine tries every way to split the a's (2^24) before failing.
PATHOLOGICAL_MODEL = "a" * 24 + "!"


def ask(address, model, timeout):
    sock = connect(address, timeout=timeout)
    try:
        sock.sendall(post("/v1/chat/completions", chat_body(model)))
        return Reader(sock).read_response()
    finally:
        sock.close()


def test_a_pathological_model_regex_is_answered_promptly_and_metrics_are_served_meanwhile(start, mock, tmp_path):
    config_dir, secrets_dir = write_config(str(tmp_path), [mock_backend(mock)], [NESTED], secrets={"mock-key": "k"})
    # One event loop: a request stuck in a regex would stop everything else on it, /metrics included.
    sidecar = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets_dir, "--workers", "1", listeners=3)
    app = sidecar.addresses["app"]

    answers, failures = [], []

    def pathological():
        try:
            answers.append(ask(app, PATHOLOGICAL_MODEL, timeout=10).status)
        except Exception as error:  # noqa: BLE001 — a timeout is the failure this test looks for
            failures.append(repr(error))

    threads = [threading.Thread(target=pathological) for _ in range(4)]
    for thread in threads:
        thread.start()
    metrics = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    for thread in threads:
        thread.join(timeout=15)
    assert metrics.status == 200 and b"sluice_" in metrics.body
    assert failures == [] and answers == [404] * 4, (failures, answers)
    assert ask(app, "a" * 24, timeout=10).status == 200, "the whole model matches, so the route does"
    assert ask(app, PATHOLOGICAL_MODEL, timeout=10).json()["error"]["code"] == "no_route"


def test_validate_refuses_lookahead_and_backreferences_with_the_json_path(tmp_path):
    routes = [{"name": "ahead", "match": {"model": {"regex": "gpt-4(?!o)"}}, "split": [{"backend": "a", "weight": 1}]},
              {"name": "back", "match": {"headers": [{"name": "x-tier", "regex": "(gold)\\1"}]},
               "split": [{"backend": "a", "weight": 1}]},
              {"name": "default", "split": [{"backend": "a", "weight": 1}]}]
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "backends": [{"name": "a", "provider": "openai", "baseURL": "https://x/v1"}], "routes": routes}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = subprocess.run([os.path.join(BIN_DIR, "sluice"), "validate", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert ('routes[0].match.model.regex: "gpt-4(?!o)" is not a valid regular expression: negative lookahead "(?!" '
            'at position 5 is not supported') in result.stdout
    assert ('routes[1].match.headers[0].regex: "(gold)\\\\1" is not a valid regular expression: a backreference "\\\\1" '
            'at position 6 is not supported') in result.stdout
