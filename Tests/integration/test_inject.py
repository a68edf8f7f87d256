"""`sluice-controller inject` (issue 8 item 3): offline injection of manifests, like
`linkerd inject`. The gateway of each workload is chosen from the Sluice resources of the input
(or of --gateways), translated as `render` does; other kinds pass through untouched."""
import json
import os
import subprocess

import yaml

from conftest import BIN_DIR

CONTROLLER = os.path.join(BIN_DIR, "sluice-controller")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
  namespace: team-a
spec:
  selector:
    matchLabels:
      app: chat
  template:
    metadata:
      labels:
        app: chat
    spec:
      containers:
      - name: app
        image: example.com/chat:1.2
        env:
        - name: OPENAI_BASE_URL
          value: http://keep.me/v1
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: chat
  namespace: team-a
  annotations:
    note: "yes"
spec:
  selector:
    app: chat
  ports:
  - port: 80
    targetPort: 8080
"""

SLUICE = """\
apiVersion: sluice.dev/v1alpha1
kind: LLMGateway
metadata:
  name: main
  namespace: team-a
spec:
  podSelector:
    matchLabels:
      app: chat
  listeners:
    app: 5000
    admin: 5001
    metrics: 5090
---
apiVersion: v1
kind: Secret
metadata:
  name: provider-keys
  namespace: team-a
stringData:
  openai: sk-test
---
apiVersion: sluice.dev/v1alpha1
kind: LLMBackend
metadata:
  name: openai
  namespace: team-a
spec:
  provider: openai
  url: https://api.openai.com/v1
  credentials:
    secretRef:
      name: provider-keys
      key: openai
---
apiVersion: sluice.dev/v1alpha1
kind: LLMRoute
metadata:
  name: everything
  namespace: team-a
spec:
  parentRefs:
  - name: main
  rules:
  - name: all
    backendRefs:
    - name: openai
"""

SECOND_GATEWAY = """\
apiVersion: sluice.dev/v1alpha1
kind: LLMGateway
metadata:
  name: other
  namespace: team-a
spec:
  podSelector:
    matchExpressions:
    - key: app
      operator: Exists
"""


def inject(*args, stdin=None, env=None):
    return subprocess.run([CONTROLLER, "inject", *args], input=stdin, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def write(tmp_path, name, *documents):
    path = tmp_path / name
    path.write_text("---\n".join(documents))
    return str(path)


def docs(text):
    return [d for d in yaml.safe_load_all(text) if d is not None]


def render_configmap(path):
    result = subprocess.run([CONTROLLER, "render", "-f", path], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (configmap,) = docs(result.stdout)
    return configmap


def test_inject_uses_the_translated_configmap_and_leaves_other_kinds_alone(tmp_path):
    path = write(tmp_path, "all.yaml", DEPLOYMENT, SERVICE, SLUICE)
    result = inject("-f", path)
    assert result.returncode == 0, result.stderr
    out = docs(result.stdout)
    original = docs(open(path).read())
    assert [d["kind"] for d in out] == [d["kind"] for d in original]
    # Untouched: the Service and every Sluice resource and Secret.
    assert out[1:] == original[1:]
    configmap = render_configmap(path)
    template = out[0]["spec"]["template"]
    assert template["metadata"]["annotations"]["sluice.dev/injected-version"]
    assert template["metadata"]["annotations"]["prometheus.io/port"] == "5090"
    (sidecar,) = template["spec"]["initContainers"]
    assert sidecar["name"] == "sluice" and sidecar["restartPolicy"] == "Always"
    assert sidecar["ports"][0]["containerPort"] == 5090
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    assert volumes["sluice-config"]["configMap"]["name"] == configmap["metadata"]["name"] == "sluice-main"
    mounts = json.loads(configmap["metadata"]["annotations"]["sluice.dev/secret-mounts"])
    assert mounts and mounts[0]["secret"] == "provider-keys"
    sources = volumes["sluice-secrets"]["projected"]["sources"]
    assert [{"secret": s["secret"]["name"], "key": i["key"], "path": i["path"]} for s in sources for i in s["secret"]["items"]] == mounts
    env = {e["name"]: e["value"] for e in template["spec"]["containers"][0]["env"]}
    assert env == {"OPENAI_BASE_URL": "http://keep.me/v1", "ANTHROPIC_BASE_URL": "http://127.0.0.1:5000"}


def test_inject_is_idempotent_and_reads_stdin(tmp_path):
    path = write(tmp_path, "all.yaml", DEPLOYMENT, SERVICE, SLUICE)
    once = inject("-f", path)
    assert once.returncode == 0, once.stderr
    twice = inject("-f", "-", stdin=once.stdout)
    assert twice.returncode == 0, twice.stderr
    assert twice.stdout == once.stdout
    from_stdin = inject("-f", "-", stdin=open(path).read())
    assert from_stdin.stdout == once.stdout


def test_gateways_may_come_from_another_file_and_json_input_works(tmp_path):
    app = write(tmp_path, "app.yaml", DEPLOYMENT)
    gateways = write(tmp_path, "sluice.yaml", SLUICE)
    result = inject("-f", app, "--gateways", gateways)
    assert result.returncode == 0, result.stderr
    (deployment,) = docs(result.stdout)
    assert deployment["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"] == "sluice-main"
    as_json = tmp_path / "app.json"
    as_json.write_text(json.dumps(docs(DEPLOYMENT)[0]))
    assert inject("-f", str(as_json), "--gateways", gateways).stdout == result.stdout


def test_config_map_flag_serves_workloads_without_a_gateway(tmp_path):
    app = write(tmp_path, "app.yaml", DEPLOYMENT)
    result = inject("-f", app, "--config-map", "sluice-main", "--image", "registry.example/sluice:dev")
    assert result.returncode == 0, result.stderr
    template = docs(result.stdout)[0]["spec"]["template"]
    assert template["spec"]["volumes"][0] == {"name": "sluice-config", "configMap": {"name": "sluice-main"}}
    assert template["spec"]["volumes"][1] == {"name": "sluice-secrets", "projected": {"sources": []}}
    assert template["spec"]["initContainers"][0]["image"] == "registry.example/sluice:dev"


def test_missing_or_ambiguous_gateway_is_an_error_and_nothing_is_written(tmp_path):
    app = write(tmp_path, "app.yaml", DEPLOYMENT, SERVICE)
    result = inject("-f", app)
    assert result.returncode == 1 and result.stdout == ""
    assert 'Deployment team-a/chat: no LLMGateway in namespace "team-a" selects a pod with labels app=chat' in result.stderr
    assert "--config-map" in result.stderr

    ambiguous = write(tmp_path, "two.yaml", DEPLOYMENT, SLUICE, SECOND_GATEWAY)
    result = inject("-f", ambiguous)
    assert result.returncode == 1 and result.stdout == ""
    assert 'LLMGateways "main" and "other"' in result.stderr and "Deployment team-a/chat" in result.stderr


def test_opted_out_and_already_injected_workloads_need_no_gateway(tmp_path):
    opted_out = DEPLOYMENT.replace("        app: chat\n    spec:", "        app: chat\n        sluice.dev/inject: disabled\n    spec:")
    assert opted_out != DEPLOYMENT
    result = inject("-f", write(tmp_path, "out.yaml", opted_out))
    assert result.returncode == 0, result.stderr
    assert docs(result.stdout) == docs(opted_out)


def test_bad_input_exit_codes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    result = inject("-f", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert "bad.yaml: line " in result.stderr and "column" in result.stderr
    assert inject("-f", str(tmp_path / "absent.yaml")).returncode == 1
    assert inject().returncode == 2
    assert inject("-f", "x.yaml", "--bogus").returncode == 2
    assert inject("-f", "x.yaml", "--config-map", "Not_A_Name").returncode == 2
    assert inject("--help").returncode == 0
