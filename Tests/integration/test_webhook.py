"""The mutating admission webhook (issue 8 item 2): `sluice-controller webhook` against the fake
API server, over real TLS with a CA made in the test, sent real-shaped AdmissionReviews by curl.
The JSONPatch it answers, applied to the pod, gives the golden injected pod; bad reviews get a
400 and the server keeps serving; the certificate Secret, updated the way kubelet updates a
mounted Secret, is picked up without a restart."""
import base64
import copy
import http.client
import json
import os
import subprocess
import sys
import uuid

import pytest
import yaml

from conftest import BIN_DIR, ROOT, poll_until
from kubelet import KubeletVolume
from tls_helpers import make_ca_and_cert

sys.path.insert(0, os.path.dirname(__file__))
from fake_kube_api import FakeKubeAPI  # noqa: E402

CONTROLLER = os.path.join(BIN_DIR, "sluice-controller")
NS = "team-a"
TESTDATA = os.path.join(ROOT, "Tests/GatewayControllerTests/testdata/injection")
# The golden cases are injected with ConfigMap sluice-main and these Secret keys, in this order
# (InjectionGoldenTests.swift): the cache's ConfigMap carries the same in its annotation.
SECRET_MOUNTS = [{"secret": "openai", "key": "api-key", "path": "openai/api-key"},
                 {"secret": "deepseek", "key": "token", "path": "deepseek/token"},
                 {"secret": "openai", "key": "org", "path": "openai/org"},
                 # A consumer's key, as the controller annotates it: optional, so a key removed
                 # from its Secret never breaks the pod's projected volume.
                 {"secret": "team-keys", "key": "current", "path": "consumers/team/current", "optional": True}]


def golden(name):
    with open(os.path.join(TESTDATA, name)) as f:
        return yaml.safe_load(f)


# -- a tiny RFC 6902 applier (add, replace, remove: what the webhook emits) ----------------

def _pointer(path):
    assert path.startswith("/"), path
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def apply_patch(document, patch):
    document = copy.deepcopy(document)
    for op in patch:
        assert op["op"] in ("add", "replace", "remove"), op
        *parents, last = _pointer(op["path"])
        target = document
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            if op["op"] == "add":
                target.insert(len(target) if last == "-" else int(last), op["value"])
            elif op["op"] == "replace":
                target[int(last)] = op["value"]
            else:
                del target[int(last)]
        else:
            if op["op"] == "replace":
                assert last in target, f"replace of a missing member {op['path']}"
            if op["op"] == "remove":
                del target[last]
            else:
                target[last] = op["value"]
    return document


def test_patch_applier_follows_rfc6902_examples():
    assert apply_patch({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}]) == {"foo": ["bar", "qux", "baz"]}
    assert apply_patch({"a/b": {"m~n": 1}}, [{"op": "replace", "path": "/a~1b/m~0n", "value": 2}]) == {"a/b": {"m~n": 2}}
    assert apply_patch({"x": [1]}, [{"op": "add", "path": "/x/-", "value": 2}, {"op": "remove", "path": "/x/0"}]) == {"x": [2]}


# -- the world -------------------------------------------------------------------------------

def call(api, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    conn.request(method, path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def create(api, path, obj):
    status, answer = call(api, "POST", path, obj)
    assert status == 201, (status, answer)


def world(api, namespace=NS):
    """A gateway selecting app=chat, and the ConfigMap the controller rendered for it."""
    create(api, f"/apis/sluice.dev/v1alpha1/namespaces/{namespace}/llmgateways", {
        "apiVersion": "sluice.dev/v1alpha1", "kind": "LLMGateway", "metadata": {"name": "main", "namespace": namespace},
        "spec": {"podSelector": {"matchLabels": {"app": "chat"}}, "configMapName": "sluice-main"}})
    create(api, f"/api/v1/namespaces/{namespace}/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "sluice-main", "namespace": namespace,
                     "labels": {"app.kubernetes.io/managed-by": "sluice-controller", "sluice.dev/gateway": "main"},
                     "annotations": {"sluice.dev/secret-mounts": json.dumps(SECRET_MOUNTS)}},
        "data": {"config.json": "{}"}})


@pytest.fixture
def api():
    server = FakeKubeAPI(port=0, bookmark_interval=0.2).start()
    yield server
    server.stop()


def kubeconfig(api, tmp_path):
    path = tmp_path / "kubeconfig.json"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "contexts": [{"name": "test", "context": {"cluster": "fake", "user": "me"}}],
        "clusters": [{"name": "fake", "cluster": {"server": api.url}}],
        "users": [{"name": "me", "user": {"token": "unused"}}]}))
    return str(path)


def read(path):
    with open(path) as f:
        return f.read()


class Webhook:
    def __init__(self, server, ca):
        self.server, self.ca = server, ca
        host, self.port = server.addresses["webhook"]
        self.url = f"https://{host}:{self.port}/mutate-pods"

    def post(self, body, ca=None, path="/mutate-pods"):
        """POSTs with curl; returns (curl exit code, HTTP status, body)."""
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        result = subprocess.run(
            ["curl", "-sS", "--max-time", "10", "--cacert", ca or self.ca, "-H", "Content-Type: application/json",
             "--data-binary", "@-", "-w", "\n%{http_code}", self.url.replace("/mutate-pods", path)],
            input=data.encode() if isinstance(data, str) else data, capture_output=True)
        if result.returncode != 0:
            return result.returncode, None, result.stderr.decode()
        text, _, status = result.stdout.decode().rpartition("\n")
        return 0, int(status), text

    def review(self, pod, namespace=NS, ca=None):
        rc, status, text = self.post(admission_review(pod, namespace), ca=ca)
        assert rc == 0, text
        assert status == 200, text
        return json.loads(text)


@pytest.fixture
def webhook(start, api, tmp_path):
    world(api)
    first = tmp_path / "ca1"
    first.mkdir()
    ca, cert, key = make_ca_and_cert(str(first))
    tls = KubeletVolume(str(tmp_path / "webhook-tls"), {"tls.crt": read(cert), "tls.key": read(key)})
    server = start("sluice-controller", "webhook", "--kubeconfig", kubeconfig(api, tmp_path),
                   "--webhook-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0",
                   "--webhook-cert", str(tmp_path / "webhook-tls/tls.crt"), "--webhook-key", str(tmp_path / "webhook-tls/tls.key"),
                   listeners=2)
    metrics = server.addresses["metrics"]

    def ready():
        conn = http.client.HTTPConnection(*metrics, timeout=5)
        conn.request("GET", "/readyz")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    poll_until(ready, message="the webhook's caches to list")
    hook = Webhook(server, ca)
    hook.tls, hook.tmp = tls, tmp_path
    return hook


def admission_review(pod, namespace=NS, operation="CREATE"):
    """An AdmissionReview as the API server sends it for a pod (admission.k8s.io/v1)."""
    return {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {
            "uid": str(uuid.uuid4()),
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "requestKind": {"group": "", "version": "v1", "kind": "Pod"},
            "requestResource": {"group": "", "version": "v1", "resource": "pods"},
            "name": pod["metadata"].get("name", ""), "namespace": namespace, "operation": operation,
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller",
                         "uid": str(uuid.uuid4()), "groups": ["system:serviceaccounts", "system:authenticated"]},
            "object": pod, "oldObject": None, "dryRun": False,
            "options": {"apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions"},
        },
    }


def patched(review, pod):
    response = review["response"]
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    return apply_patch(pod, json.loads(base64.b64decode(response["patch"])))


# -- tests -----------------------------------------------------------------------------------

def test_review_patch_gives_the_golden_injected_pod(webhook):
    pod = golden("pod-native.in.yaml")
    review = webhook.review(pod)
    assert review["apiVersion"] == "admission.k8s.io/v1" and review["kind"] == "AdmissionReview"
    assert review["response"]["uid"]
    assert patched(review, pod) == golden("pod-native.out.yaml")
    # Classic sidecars too, and a pod as a ReplicaSet creates it (generateName, no namespace).
    pod, expected = golden("pod-classic.in.yaml"), golden("pod-classic.out.yaml")
    for p in (pod, expected):  # the classic case has no labels; the gateway selects app=chat
        p["metadata"].setdefault("labels", {})["app"] = "chat"
    assert patched(webhook.review(pod), pod) == expected
    pod = golden("pod-native.in.yaml")
    del pod["metadata"]["name"], pod["metadata"]["namespace"]
    pod["metadata"]["generateName"] = "chat-app-7d9f8-"
    injected = patched(webhook.review(pod), pod)
    assert [c["name"] for c in injected["spec"]["initContainers"]] == ["sluice"]
    assert injected["spec"]["volumes"][0] == {"name": "sluice-config", "configMap": {"name": "sluice-main"}}


def test_injected_pod_is_left_alone_and_the_uid_is_echoed(webhook):
    pod = golden("pod-native.out.yaml")
    request = admission_review(pod)
    rc, status, text = webhook.post(request)
    assert (rc, status) == (0, 200), text
    response = json.loads(text)["response"]
    assert response["uid"] == request["request"]["uid"]
    assert response["allowed"] is True and "patch" not in response


def test_pod_without_a_selecting_gateway_is_admitted_unchanged_with_a_warning(webhook):
    pod = golden("pod-native.in.yaml")
    pod["metadata"]["labels"] = {"app": "billing"}
    response = webhook.review(pod)["response"]
    assert response["allowed"] is True and "patch" not in response
    assert any("no LLMGateway" in w and "app=billing" in w for w in response["warnings"]), response
    # Another namespace has no gateway at all.
    response = webhook.review(golden("pod-native.in.yaml"), namespace="team-b")["response"]
    assert "patch" not in response and "team-b" in response["warnings"][0]


def test_malformed_reviews_get_a_400_and_the_server_keeps_serving(webhook):
    for body in (b"{not json", json.dumps({"apiVersion": "v1", "kind": "Pod"}),
                 json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}), b""):
        rc, status, text = webhook.post(body)
        assert (rc, status) == (0, 400), text
        error = json.loads(text)["error"]
        assert error["code"] == "invalid_admission_review" and error["message"]
    rc, status, text = webhook.post(b"{}", path="/other")
    assert (rc, status) == (0, 404)
    pod = golden("pod-native.in.yaml")
    assert patched(webhook.review(pod), pod) == golden("pod-native.out.yaml")
    assert webhook.server.proc.poll() is None


def test_a_client_that_does_not_trust_the_ca_is_refused(webhook, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    wrong_ca, _, _ = make_ca_and_cert(str(other))
    rc, _, text = webhook.post(admission_review(golden("pod-native.in.yaml")), ca=wrong_ca)
    assert rc == 60, text  # curl: peer certificate cannot be authenticated with the given CA


def test_certificate_rotation_on_disk_is_picked_up_without_restart(webhook, tmp_path):
    pod = golden("pod-native.in.yaml")
    second = tmp_path / "ca2"
    second.mkdir()
    new_ca, new_cert, new_key = make_ca_and_cert(str(second))
    old_key = read(os.path.join(tmp_path, "ca1", "server.key"))

    # A broken pair (the new certificate with the old key) is refused: the old one keeps serving.
    webhook.tls.update({"tls.crt": read(new_cert), "tls.key": old_key})
    poll_until(lambda: any('"webhook_certificate_reload_failed"' in line for line in webhook.server.stderr_lines),
               message="the failed reload to be logged")
    failures = [json.loads(line) for line in webhook.server.stderr_lines if '"webhook_certificate_reload_failed"' in line]
    assert len(failures) == 1 and "key" in failures[0]["error"]
    assert patched(webhook.review(pod), pod) == golden("pod-native.out.yaml")

    # The rotated Secret, as kubelet writes it: the new CA is trusted, the old one no longer.
    webhook.tls.update({"tls.crt": read(new_cert), "tls.key": read(new_key)})
    poll_until(lambda: webhook.post(admission_review(pod), ca=new_ca)[0] == 0, message="the new certificate to serve")
    assert patched(webhook.review(pod, ca=new_ca), pod) == golden("pod-native.out.yaml")
    assert webhook.post(admission_review(pod))[0] == 60
    assert any('"webhook_certificate_reloaded"' in line for line in webhook.server.stderr_lines)
    assert webhook.server.proc.poll() is None


def test_webhook_needs_a_usable_certificate(api, tmp_path):
    result = subprocess.run([CONTROLLER, "webhook", "--kubeconfig", kubeconfig(api, tmp_path), "--webhook-address", "127.0.0.1:0",
                             "--metrics-address", "127.0.0.1:0", "--webhook-cert", str(tmp_path / "missing.crt"),
                             "--webhook-key", str(tmp_path / "missing.key")], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "certificate" in result.stderr and "missing.crt" in result.stderr


def test_run_serves_the_webhook_from_its_own_caches_unless_turned_off(start, api, tmp_path):
    world(api)
    create(api, f"/api/v1/namespaces/{NS}/secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keys"},
                                                     "data": {"openai": "c2stb3BlbmFp"}})
    ca, cert, key = make_ca_and_cert(str(tmp_path))
    common = ["--kubeconfig", kubeconfig(api, tmp_path), "--metrics-address", "127.0.0.1:0", "--lease-namespace", NS,
              "--webhook-address", "127.0.0.1:0", "--webhook-cert", cert, "--webhook-key", key]
    server = start("sluice-controller", "run", "--identity", "replica-a", *common, listeners=2)
    hook = Webhook(server, ca)
    pod = golden("pod-native.in.yaml")
    poll_until(lambda: "patch" in hook.review(pod)["response"], message="run's caches to list")
    assert patched(hook.review(pod), pod) == golden("pod-native.out.yaml")

    off = start("sluice-controller", "run", "--identity", "replica-b", *common, env={"SLUICE_WEBHOOK_ENABLED": "false"})
    assert list(off.addresses) == ["metrics"]
    poll_until(lambda: any('"synced"' in line for line in off.stderr_lines), message="replica-b to sync")
    assert not any('"name":"webhook"' in line for line in off.stderr_lines)


def test_sidecar_settings_come_from_the_environment(start, api, tmp_path):
    world(api)
    ca, cert, key = make_ca_and_cert(str(tmp_path))
    env = {"SLUICE_SIDECAR_IMAGE": "registry.example/sluice:dev", "SLUICE_SIDECAR_IMAGE_PULL_POLICY": "Always",
           "SLUICE_SIDECAR_RESOURCES": json.dumps({"requests": {"cpu": "20m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}})}
    server = start("sluice-controller", "webhook", "--kubeconfig", kubeconfig(api, tmp_path), "--webhook-address", "127.0.0.1:0",
                   "--metrics-address", "127.0.0.1:0", "--webhook-cert", cert, "--webhook-key", key, env=env, listeners=2)
    hook = Webhook(server, ca)
    pod = golden("pod-native.in.yaml")
    poll_until(lambda: "patch" in hook.review(pod)["response"], message="the caches to list")
    (sidecar,) = patched(hook.review(pod), pod)["spec"]["initContainers"]
    assert sidecar["image"] == "registry.example/sluice:dev" and sidecar["imagePullPolicy"] == "Always"
    assert sidecar["resources"] == {"requests": {"cpu": "20m", "memory": "16Mi"}, "limits": {"cpu": "500m", "memory": "64Mi"}}

    bad = subprocess.run([CONTROLLER, "webhook", "--kubeconfig", kubeconfig(api, tmp_path)], capture_output=True, text=True,
                         env={**os.environ, "SLUICE_SIDECAR_RESOURCES": "{\"requests\": 5}"}, timeout=30)
    assert bad.returncode == 1 and "SLUICE_SIDECAR_RESOURCES" in bad.stderr


# -- issue 15 item 2: what injection must not break ---------------------------------------------

def test_host_network_pods_are_admitted_unchanged_with_the_reason(webhook):
    pod = golden("pod-native.in.yaml")
    pod["spec"]["hostNetwork"] = True
    response = webhook.review(pod)["response"]
    assert response["allowed"] is True and "patch" not in response
    (warning,) = response["warnings"]
    assert warning.startswith("sluice: not injected:") and "hostNetwork" in warning


def test_a_container_on_a_sidecar_port_is_denied_naming_container_and_port(webhook):
    pod = golden("pod-native.in.yaml")
    pod["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 4000, "protocol": "TCP"}]
    response = webhook.review(pod)["response"]
    assert response["allowed"] is False and "patch" not in response
    assert response["status"]["code"] == 400
    assert 'container "app" already uses port 4000' in response["status"]["message"]


def test_only_app_containers_get_base_urls_and_env_from_is_not_overridden(webhook):
    pod = golden("pod-native.in.yaml")
    pod["spec"]["containers"] += [{"name": "istio-proxy", "image": "istio/proxyv2:1.22.0"},
                                  {"name": "reader", "image": "example.com/reader:1",
                                   "envFrom": [{"configMapRef": {"name": "reader-settings"}}]}]
    review = webhook.review(pod)
    containers = {c["name"]: c for c in patched(review, pod)["spec"]["containers"]}
    assert {e["name"] for e in containers["app"]["env"]} == {"LOG_LEVEL", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"}
    assert "env" not in containers["istio-proxy"]
    # The webhook cannot see the ConfigMap: the reader's own settings may be there, so they stay.
    assert "env" not in containers["reader"]
    warnings = review["response"]["warnings"]
    assert any('container "reader" gets no OPENAI_BASE_URL' in w and 'ConfigMap "reader-settings"' in w for w in warnings), warnings


def test_the_default_grace_period_is_raised_above_the_drain_timeout(webhook):
    pod = golden("pod-native.in.yaml")
    pod["spec"]["terminationGracePeriodSeconds"] = 30  # as the API server defaults it before admission
    review = webhook.review(pod)
    assert patched(review, pod)["spec"]["terminationGracePeriodSeconds"] == 45
    assert any("terminationGracePeriodSeconds raised from 30 to 45" in w for w in review["response"]["warnings"])
    pod["spec"]["terminationGracePeriodSeconds"] = 90
    review = webhook.review(pod)
    assert patched(review, pod)["spec"]["terminationGracePeriodSeconds"] == 90
    assert "warnings" not in review["response"]
