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


# -- issue 15 item 2: what injection must not break ---------------------------------------------

def template_of(document):
    return document["spec"]["template"]


def deployment(**pod_spec):
    """DEPLOYMENT with its pod spec updated (containers replaced when given)."""
    (doc,) = docs(DEPLOYMENT)
    template_of(doc)["spec"].update(pod_spec)
    return doc


def dump(*documents):
    return "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in documents)


def test_host_network_workloads_pass_through_unchanged_with_the_reason(tmp_path):
    host = deployment(hostNetwork=True)
    result = inject("-f", write(tmp_path, "app.yaml", dump(host), SLUICE))
    assert result.returncode == 0, result.stderr
    assert docs(result.stdout)[0] == host
    assert "warning: Deployment team-a/chat: not injected:" in result.stderr and "hostNetwork" in result.stderr


def test_a_container_port_the_sidecar_listens_on_is_refused_naming_container_and_port(tmp_path):
    # The gateway of SLUICE moves the sidecar to 5000 (app), 5001 (admin) and 5090 (metrics).
    for port, listener in [(5000, "app"), (5001, "admin"), (5090, "metrics")]:
        clash = deployment(containers=[{"name": "app", "image": "x"},
                                       {"name": "litellm", "image": "y", "ports": [{"containerPort": port}]}])
        result = inject("-f", write(tmp_path, "app.yaml", dump(clash), SLUICE))
        assert result.returncode == 1 and result.stdout == "", result.stderr
        assert f'Deployment team-a/chat: container "litellm" already uses port {port}' in result.stderr, result.stderr
        assert f"listeners.{listener}" in result.stderr
    # 4000 is free when the gateway moved the sidecar; a UDP port does not clash either.
    fine = deployment(containers=[{"name": "litellm", "image": "y", "ports": [{"containerPort": 4000},
                                                                              {"containerPort": 5000, "protocol": "UDP"}]}])
    assert inject("-f", write(tmp_path, "app.yaml", dump(fine), SLUICE)).returncode == 0
    # Without a gateway (--config-map) the sidecar keeps its default ports; init containers count too.
    clash = deployment(initContainers=[{"name": "setup", "image": "z", "ports": [{"containerPort": 4000}]}])
    result = inject("-f", write(tmp_path, "app.yaml", dump(clash)), "--config-map", "sluice-main")
    assert result.returncode == 1 and 'container "setup" already uses port 4000' in result.stderr, result.stderr


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def test_base_urls_go_to_app_containers_only(tmp_path):
    pod = deployment(containers=[{"name": "app", "image": "x"}, {"name": "istio-proxy", "image": "istio"},
                                 {"name": "linkerd-proxy", "image": "linkerd"}, {"name": "worker", "image": "w"}])
    result = inject("-f", write(tmp_path, "app.yaml", dump(pod), SLUICE))
    assert result.returncode == 0, result.stderr
    containers = {c["name"]: c for c in template_of(docs(result.stdout)[0])["spec"]["containers"]}
    assert env_of(containers["app"])["OPENAI_BASE_URL"] == "http://127.0.0.1:5000/v1"
    assert env_of(containers["worker"])["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert "env" not in containers["istio-proxy"] and "env" not in containers["linkerd-proxy"]
    # The annotation names the app containers exactly.
    template_of(pod)["metadata"]["annotations"] = {"sluice.dev/app-containers": "worker"}
    result = inject("-f", write(tmp_path, "app.yaml", dump(pod), SLUICE))
    assert result.returncode == 0, result.stderr
    containers = {c["name"]: c for c in template_of(docs(result.stdout)[0])["spec"]["containers"]}
    assert "env" not in containers["app"] and env_of(containers["worker"])["OPENAI_BASE_URL"]
    # A name that is no container of the pod is a mistake, refused.
    template_of(pod)["metadata"]["annotations"] = {"sluice.dev/app-containers": "worker, wroker"}
    result = inject("-f", write(tmp_path, "app.yaml", dump(pod), SLUICE))
    assert result.returncode == 1 and result.stdout == ""
    assert 'sluice.dev/app-containers names "wroker"' in result.stderr, result.stderr


def configmap_doc(name, data, kind="ConfigMap"):
    key = "stringData" if kind == "Secret" else "data"
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "team-a"}, key: data}


def test_env_from_sources_the_injector_can_see_decide_and_unseen_ones_are_left_alone_with_a_warning(tmp_path):
    def injected_env(pod, *others):
        result = inject("-f", write(tmp_path, "app.yaml", dump(pod, *others), SLUICE))
        assert result.returncode == 0, result.stderr
        return env_of(template_of(docs(result.stdout)[0])["spec"]["containers"][0]), result.stderr

    def with_env_from(*sources):
        return deployment(containers=[{"name": "app", "image": "x", "envFrom": list(sources)}])

    # A ConfigMap in the input that sets OPENAI_BASE_URL: the app's value wins (no env entry hides it).
    env, stderr = injected_env(with_env_from({"configMapRef": {"name": "app-config"}}),
                               configmap_doc("app-config", {"OPENAI_BASE_URL": "http://corp-gateway/v1"}))
    assert env == {"ANTHROPIC_BASE_URL": "http://127.0.0.1:5000"} and "warning" not in stderr
    # A Secret with a prefix: APP_ + OPENAI_BASE_URL sets APP_OPENAI_BASE_URL, not ours.
    env, stderr = injected_env(with_env_from({"secretRef": {"name": "keys"}, "prefix": "APP_"}),
                               configmap_doc("keys", {"OPENAI_BASE_URL": "x"}, kind="Secret"))
    assert set(env) == {"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"} and "warning" not in stderr
    # A visible source without the variables changes nothing.
    env, stderr = injected_env(with_env_from({"configMapRef": {"name": "app-config"}}),
                               configmap_doc("app-config", {"LOG_LEVEL": "debug"}))
    assert set(env) == {"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"} and "warning" not in stderr
    # One the injector cannot see may set them: they are not overridden, and it says so.
    env, stderr = injected_env(with_env_from({"configMapRef": {"name": "elsewhere"}}))
    assert env == {}
    assert ('warning: Deployment team-a/chat: container "app" gets no OPENAI_BASE_URL, ANTHROPIC_BASE_URL: '
            'its envFrom ConfigMap "elsewhere"') in stderr, stderr
    # The same ConfigMap in another namespace is not the one the pod reads.
    other = configmap_doc("elsewhere", {"LOG_LEVEL": "debug"})
    other["metadata"]["namespace"] = "team-b"
    env, _ = injected_env(with_env_from({"configMapRef": {"name": "elsewhere"}}), other)
    assert env == {}


def test_termination_grace_period_is_raised_above_the_sidecars_drain_timeout(tmp_path):
    def grace(pod):
        result = inject("-f", write(tmp_path, "app.yaml", dump(pod), SLUICE))
        assert result.returncode == 0, result.stderr
        return template_of(docs(result.stdout)[0])["spec"]["terminationGracePeriodSeconds"], result.stderr

    # Unset means Kubernetes' 30 s, the drain timeout itself: the sidecar gets drain + 15 s.
    assert grace(deployment()) == (45, "")
    seconds, stderr = grace(deployment(terminationGracePeriodSeconds=10))
    assert seconds == 45 and "terminationGracePeriodSeconds raised from 10 to 45" in stderr
    assert grace(deployment(terminationGracePeriodSeconds=120)) == (120, "")


GUARDED = SLUICE.replace("""    backendRefs:
    - name: openai""", """    backendRefs:
    - name: openai
    guardPolicyRef:
      name: audited""") + """---
apiVersion: v1
kind: Secret
metadata:
  name: moderation
  namespace: team-a
stringData:
  api-key: mod-test
---
apiVersion: sluice.dev/v1alpha1
kind: LLMGuardPolicy
metadata:
  name: audited
  namespace: team-a
spec:
  rules:
  - name: moderation
    moderation:
      url: http://moderation.team-a.svc:8080/v1/moderations
      thresholds: {hate: 0.5}
      credentials: {secretRef: {name: moderation}}
    action: block
  audit:
    file: /var/log/sluice/guard-audit.jsonl
"""


def test_the_sidecar_gets_a_writable_audit_directory_and_the_moderation_key_is_mounted(tmp_path):
    path = write(tmp_path, "guarded.yaml", DEPLOYMENT, GUARDED)
    result = inject("-f", path)
    assert result.returncode == 0, result.stderr
    template = template_of(docs(result.stdout)[0])
    (sidecar,) = template["spec"]["initContainers"]
    writable = [m for m in sidecar["volumeMounts"] if not m.get("readOnly")]
    assert writable == [{"name": "sluice-audit", "mountPath": "/var/log/sluice"}]
    assert sidecar["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    assert volumes["sluice-audit"] == {"name": "sluice-audit", "emptyDir": {"sizeLimit": "64Mi"}}
    items = [(s["secret"]["name"], i["key"], i["path"]) for s in volumes["sluice-secrets"]["projected"]["sources"] for i in s["secret"]["items"]]
    assert ("moderation", "api-key", "moderation/api-key") in items
    # The rendered config (the ConfigMap the sidecar reads) names the audit file under the mount and the key file.
    config = json.loads(render_configmap(path)["data"]["config.json"])
    (guard,) = config["guards"]
    assert guard["audit"] == {"file": "/var/log/sluice/guard-audit.jsonl"}
    assert guard["rules"][0]["moderation"]["credentials"] == {"file": "moderation/api-key", "header": "authorization"}
    assert guard["rules"][0]["moderation"]["thresholds"] == {"hate": 0.5}


def test_an_audit_file_outside_the_sidecars_writable_directory_is_refused(tmp_path):
    path = write(tmp_path, "root.yaml", GUARDED.replace("/var/log/sluice/guard-audit.jsonl", "/tmp/guard-audit.jsonl"))
    result = subprocess.run([CONTROLLER, "render", "-f", path], capture_output=True, text=True, timeout=60)
    assert '"/tmp/guard-audit.jsonl" is not a file in /var/log/sluice/' in result.stdout + result.stderr
