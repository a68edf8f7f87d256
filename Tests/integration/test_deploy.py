"""The deployment artifacts: deploy/ (kubectl apply -k), charts/sluice (Helm), the Dockerfile,
and docs/install.md followed as far as a machine without a cluster allows.

- Every object in deploy/ and in the chart's renderings is validated for Kubernetes 1.29 (the
  oldest we support: native sidecars) and for the newest version kubernetes-validate knows, with
  its strict (unknown fields refused) schemas, which it ships offline. Sluice's own kinds are
  created in the fake API server, which enforces our CRDs as a cluster does (schema, defaults,
  CEL rules, strict field validation: crd_admission.py); the Prometheus Operator's and
  cert-manager's kinds are validated against subsets of their upstream schemas written out below.
- The chart is linted by Helm's own lint and installed, for real, by Helm's library into a fake
  API server on loopback (discovery, create, get; release storage in memory), which gives the
  exact manifests Helm would send a cluster, values.schema.json and kubeVersion checks included.
  `helm template` is not exposed by helm-sdkpy, and this is closer to the truth anyway.
- The Dockerfile is checked for structure only: no Docker engine runs here.

helm-sdkpy needs Python >= 3.12, so those tools live in a second virtualenv (requirements-deploy.txt,
~/.cache/sluice/venv312-<hash>, made by `make deps`). This file is run there as a worker
(`python test_deploy.py lint|helm|validate`, JSON in and out); the tests skip, loudly, only when
that virtualenv is missing.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fake_kube_api import send_json  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
DEPLOY = os.path.join(ROOT, "deploy")
CHART = os.path.join(ROOT, "charts/sluice")
KUBE_VERSIONS = ["1.29.0", "1.37.0"]  # oldest supported; newest kubernetes-validate ships

# =============================================================================================
# Worker: runs in the Python 3.12 virtualenv, imports helm_sdkpy / kubernetes_validate / yaml.

# Discovery the fake API server advertises: group/version → [(kind, plural, namespaced)].
FAKE_API_RESOURCES = {
    "v1": [("Namespace", "namespaces", False), ("ConfigMap", "configmaps", True), ("Secret", "secrets", True),
           ("Service", "services", True), ("ServiceAccount", "serviceaccounts", True), ("Pod", "pods", True)],
    "apps/v1": [("Deployment", "deployments", True)],
    "policy/v1": [("PodDisruptionBudget", "poddisruptionbudgets", True)],
    "rbac.authorization.k8s.io/v1": [("ClusterRole", "clusterroles", False), ("ClusterRoleBinding", "clusterrolebindings", False),
                                     ("Role", "roles", True), ("RoleBinding", "rolebindings", True)],
    "admissionregistration.k8s.io/v1": [("MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False)],
    "apiextensions.k8s.io/v1": [("CustomResourceDefinition", "customresourcedefinitions", False)],
    "coordination.k8s.io/v1": [("Lease", "leases", True)],
    "monitoring.coreos.com/v1": [("PodMonitor", "podmonitors", True), ("ServiceMonitor", "servicemonitors", True)],
    "cert-manager.io/v1": [("Issuer", "issuers", True), ("Certificate", "certificates", True)],
    "sluice.dev/v1alpha1": [("LLMGateway", "llmgateways", True), ("LLMBackend", "llmbackends", True),
                            ("LLMRoute", "llmroutes", True), ("LLMConsumer", "llmconsumers", True),
                            ("LLMGuardPolicy", "llmguardpolicies", True)],
}


class FakeAPIServer:
    """Just enough of the Kubernetes API for `helm install`/`upgrade` with wait off: version,
    discovery, create (kept), get (404 unless created), list, and patch/put (accepted). It is
    not a cluster: it checks nothing, which is the validators' job, except what discovery says:
    `absent` group/versions (e.g. the Prometheus Operator's, on a plain cluster) are neither
    advertised nor served, so Helm sees them missing as in a cluster without their CRDs."""

    def __init__(self, kube_version, absent=()):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlparse

        self.objects = {}
        self.created = []
        major, minor = kube_version.split(".")[:2]
        server = self
        resources = {gv: kinds for gv, kinds in FAKE_API_RESOURCES.items() if gv not in absent}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, obj):
                send_json(self, code, obj)

            def _body(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" not in (self.headers.get("Content-Type") or "json"):
                    return None  # protobuf: not something Helm's resource client sends
                return json.loads(raw or b"{}")

            def do_GET(self):
                path = urlparse(self.path).path.rstrip("/")
                if path == "/version":
                    return self._send(200, {"major": major, "minor": minor, "gitVersion": f"v{kube_version}",
                                            "platform": "linux/amd64"})
                if path == "/api":
                    return self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
                if path == "/apis":
                    groups = {}
                    for gv in resources:
                        if "/" in gv:
                            group, version = gv.split("/")
                            groups.setdefault(group, []).append(version)
                    return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                        {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                         "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]}}
                        for g, vs in groups.items()]})
                match = re.fullmatch(r"/api/v1|/apis/([^/]+)/([^/]+)", path)
                if match:
                    gv = "v1" if path == "/api/v1" else f"{match.group(1)}/{match.group(2)}"
                    if gv in resources:
                        return self._send(200, {"kind": "APIResourceList", "groupVersion": gv, "resources": [
                            {"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
                             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]}
                            for kind, plural, namespaced in resources[gv]]})
                if path in server.objects:
                    return self._send(200, server.objects[path])
                plural = path.rsplit("/", 1)[-1]
                if any(plural == p for kinds in resources.values() for _, p, _ in kinds):
                    items = [o for k, o in server.objects.items() if k.rsplit("/", 1)[0] == path]
                    return self._send(200, {"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": "1"},
                                            "items": items})
                self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                 "code": 404, "message": f"{path} not found"})

            def _served(self):
                match = re.match(r"/api/v1/|/apis/([^/]+)/([^/]+)/", urlparse(self.path).path)
                gv = "v1" if match and not match.group(1) else match and f"{match.group(1)}/{match.group(2)}"
                if gv in resources:
                    return True
                self._send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound",
                                 "code": 404, "message": "the server could not find the requested resource"})
                return False

            def do_POST(self):
                if not self._served():
                    return
                obj = self._body() or {}
                meta = obj.setdefault("metadata", {})
                meta["resourceVersion"] = "1"
                meta.setdefault("uid", hashlib.sha1(self.path.encode() + meta.get("name", "").encode()).hexdigest())
                if obj.get("kind") == "CustomResourceDefinition":
                    obj["status"] = {"conditions": [{"type": "Established", "status": "True"},
                                                    {"type": "NamesAccepted", "status": "True"}]}
                server.objects[urlparse(self.path).path.rstrip("/") + "/" + meta.get("name", "")] = obj
                server.created.append([obj.get("kind"), meta.get("name")])
                self._send(201, obj)

            def do_PUT(self):
                obj = self._body()
                path = urlparse(self.path).path
                if obj is not None:
                    server.objects[path] = obj
                self._send(200, obj or server.objects.get(path, {}))

            def do_PATCH(self):
                self._body()
                self._send(200, server.objects.get(urlparse(self.path).path, {}))

            def do_DELETE(self):
                self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def kubeconfig(self, directory):
        path = os.path.join(directory, "kubeconfig")
        host, port = self.httpd.server_address
        with open(path, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "fake",
                       "clusters": [{"name": "fake", "cluster": {"server": f"http://{host}:{port}"}}],
                       "users": [{"name": "fake", "user": {"token": "fake"}}],
                       "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}]}, f)
        return path

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _worker_env(directory):
    # Helm keeps releases in memory and its caches in the scratch directory, never in ~.
    os.environ.update(HELM_DRIVER="memory", HELM_CACHE_HOME=os.path.join(directory, "cache"),
                      HELM_CONFIG_HOME=os.path.join(directory, "config"), HELM_DATA_HOME=os.path.join(directory, "data"))
    for name in ("KUBECONFIG", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        os.environ.pop(name, None)


def _parse_manifest(text):
    import yaml
    return [d for d in yaml.safe_load_all(text or "") if d]


def _worker_lint(request):
    import asyncio
    import helm_sdkpy
    with tempfile.TemporaryDirectory() as directory:
        _worker_env(directory)
        config = helm_sdkpy.Configuration(namespace=request.get("namespace", "sluice-system"))
        result = asyncio.run(helm_sdkpy.Lint(config).run(request["chart"]))
    # The Go errors do not survive helm-sdkpy's JSON; severity and path do.
    return {"messages": [{"severity": m.get("Severity"), "path": m.get("Path"), "error": str(m.get("Err") or "")}
                         for m in result.get("Messages") or []],
            "errors": len(result.get("Errors") or [])}


def _worker_helm(request):
    import asyncio
    import helm_sdkpy
    results = {}
    for scenario in request["scenarios"]:
        outcome = {}
        with tempfile.TemporaryDirectory() as directory:
            _worker_env(directory)
            server = FakeAPIServer(scenario.get("kube_version", "1.29.0"), absent=scenario.get("absent", ()))
            server.objects.update(scenario.get("existing", {}))
            try:
                config = helm_sdkpy.Configuration(namespace=scenario.get("namespace", "sluice-system"),
                                                  kubeconfig=server.kubeconfig(directory))
                release = asyncio.run(helm_sdkpy.Install(config).run(
                    scenario.get("release", "sluice"), request["chart"], values=scenario.get("values") or None,
                    wait=False, timeout=60))
                outcome["docs"] = _parse_manifest(release.get("manifest"))
                outcome["created"] = list(server.created)
                outcome["notes"] = (release.get("info") or {}).get("notes", "")
            except Exception as error:  # reported to the test, which decides
                outcome["error"] = f"{type(error).__name__}: {error}"
            finally:
                server.close()
        results[scenario["id"]] = outcome
    return results


def _worker_validate(request):
    import kubernetes_validate
    results = {}
    for item in request["items"]:
        errors = []
        for version in request["versions"]:
            try:
                kubernetes_validate.validate(item["doc"], version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(p) for p in error.path)
                errors.append(f"{version}: {path}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                errors.append(f"{version}: {error.message}")
        results[item["id"]] = errors
    return results


def _worker_main(argv):
    commands = {"lint": _worker_lint, "helm": _worker_helm, "validate": _worker_validate}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: {sys.argv[0]} {'|'.join(commands)} < request.json", file=sys.stderr)
        return 2
    json.dump(commands[argv[0]](json.load(sys.stdin)), sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))

# =============================================================================================
# The tests (pytest, in the main test virtualenv).

import copy  # noqa: E402
import functools  # noqa: E402
import glob  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402

from test_crds import KINDS as SLUICE_KINDS, PLURALS, api_server_errors, load_documents  # noqa: E402

REQUIREMENTS_DEPLOY = os.path.join(os.path.dirname(__file__), "requirements-deploy.txt")
BIN_DIR = os.environ.get("SLUICE_BIN_DIR") or os.path.join(ROOT, ".build/debug")


def deploy_venv():
    if os.environ.get("SLUICE_DEPLOY_VENV"):
        return os.environ["SLUICE_DEPLOY_VENV"]
    with open(REQUIREMENTS_DEPLOY, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    return os.path.expanduser(f"~/.cache/sluice/venv312-{digest}")


def deploy_python():
    python = os.path.join(deploy_venv(), "bin/python")
    if not os.access(python, os.X_OK):
        pytest.skip(f"\n\n*** SKIPPED: the Python 3.12 virtualenv for helm-sdkpy and kubernetes-validate is missing: "
                    f"{deploy_venv()} (create it with `make deps`; see scripts/deps.sh). ***\n")
    return python


def run_worker(command, request, timeout=600):
    result = subprocess.run([deploy_python(), os.path.abspath(__file__), command], input=json.dumps(request),
                            capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if result.returncode != 0:
        pytest.fail(f"worker {command} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------------------------
# Schemas for the third-party kinds we ship: the subset of the upstream CRDs' fields that we use
# or might, with unknown fields refused, so a misspelt field fails here rather than in a cluster.

_LABEL_SELECTOR = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["key", "operator"],
            "properties": {"key": {"type": "string"}, "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
                           "values": {"type": "array", "items": {"type": "string"}}}}},
    },
}
_METADATA = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", "maxLength": 253},
    "namespace": {"type": "string"}, "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "annotations": {"type": "object", "additionalProperties": {"type": "string"}}}}
_DURATION = {"type": "string", "pattern": r"^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"}
_RELABEL = {"type": "object", "additionalProperties": False, "properties": {
    "sourceLabels": {"type": "array", "items": {"type": "string", "pattern": r"^[a-zA-Z_][a-zA-Z0-9_]*$"}},
    "separator": {"type": "string"}, "targetLabel": {"type": "string"}, "regex": {"type": "string"},
    "modulus": {"type": "integer"}, "replacement": {"type": "string"},
    "action": {"enum": ["replace", "Replace", "keep", "Keep", "drop", "Drop", "hashmod", "HashMod", "labelmap",
                        "LabelMap", "labeldrop", "LabelDrop", "labelkeep", "LabelKeep", "lowercase", "Lowercase",
                        "uppercase", "Uppercase", "keepequal", "KeepEqual", "dropequal", "DropEqual"]}}}
_ENDPOINT_COMMON = {"path": {"type": "string", "pattern": "^/"}, "scheme": {"enum": ["http", "https"]},
                    "interval": _DURATION, "scrapeTimeout": _DURATION, "honorLabels": {"type": "boolean"},
                    "relabelings": {"type": "array", "items": _RELABEL},
                    "metricRelabelings": {"type": "array", "items": _RELABEL}}
_NAMESPACE_SELECTOR = {"type": "object", "additionalProperties": False, "properties": {
    "any": {"type": "boolean"}, "matchNames": {"type": "array", "items": {"type": "string"}}}}


def _cr_schema(spec, required_spec=()):
    return {"type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
            "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": _METADATA,
                           "spec": {"type": "object", "additionalProperties": False, "required": list(required_spec),
                                    "properties": spec}}}


THIRD_PARTY_SCHEMAS = {
    ("monitoring.coreos.com/v1", "PodMonitor"): _cr_schema({
        "jobLabel": {"type": "string"}, "podTargetLabels": {"type": "array", "items": {"type": "string"}},
        "selector": _LABEL_SELECTOR, "namespaceSelector": _NAMESPACE_SELECTOR, "sampleLimit": {"type": "integer"},
        "podMetricsEndpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"port": {"type": "string", "maxLength": 15}, "portNumber": {"type": "integer"},
                           **_ENDPOINT_COMMON}}},
    }, required_spec=["selector"]),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): _cr_schema({
        "jobLabel": {"type": "string"}, "targetLabels": {"type": "array", "items": {"type": "string"}},
        "selector": _LABEL_SELECTOR, "namespaceSelector": _NAMESPACE_SELECTOR, "sampleLimit": {"type": "integer"},
        "endpoints": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "properties": {"port": {"type": "string"}, "targetPort": {"type": ["string", "integer"]}, **_ENDPOINT_COMMON}}},
    }, required_spec=["selector", "endpoints"]),
    ("cert-manager.io/v1", "Issuer"): _cr_schema({
        "selfSigned": {"type": "object", "additionalProperties": False,
                       "properties": {"crlDistributionPoints": {"type": "array", "items": {"type": "string"}}}},
        "ca": {"type": "object", "additionalProperties": False, "required": ["secretName"],
               "properties": {"secretName": {"type": "string"}}},
    }),
    ("cert-manager.io/v1", "Certificate"): _cr_schema({
        "secretName": {"type": "string"}, "commonName": {"type": "string", "maxLength": 64},
        "dnsNames": {"type": "array", "items": {"type": "string"}}, "isCA": {"type": "boolean"},
        "duration": {"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"},
        "renewBefore": {"type": "string", "pattern": r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"},
        "privateKey": {"type": "object", "additionalProperties": False, "properties": {
            "algorithm": {"enum": ["RSA", "ECDSA", "Ed25519"]}, "size": {"type": "integer"},
            "encoding": {"enum": ["PKCS1", "PKCS8"]}, "rotationPolicy": {"enum": ["Never", "Always"]}}},
        "usages": {"type": "array", "items": {"enum": [
            "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
            "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
            "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
            "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc"]}},
        "issuerRef": {"type": "object", "additionalProperties": False, "required": ["name"],
                      "properties": {"name": {"type": "string"}, "kind": {"type": "string"}, "group": {"type": "string"}}},
    }, required_spec=["secretName", "issuerRef"]),
}


def validate_all(docs_by_id):
    """id → [errors] for every document: core kinds with kubernetes-validate (strict, each of
    KUBE_VERSIONS), Sluice kinds by the fake API server enforcing our CRDs (schema, defaults,
    CEL rules, strict field validation), third-party kinds with the subsets above."""
    results, core, sluice = {}, [], {}
    for item_id, doc in docs_by_id.items():
        key = (doc.get("apiVersion"), doc.get("kind"))
        if doc.get("apiVersion") == "sluice.dev/v1alpha1" and doc.get("kind") in SLUICE_KINDS:
            sluice[item_id] = doc
        elif key in THIRD_PARTY_SCHEMAS:
            validator = jsonschema.Draft202012Validator(THIRD_PARTY_SCHEMAS[key])
            results[item_id] = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
        else:
            core.append({"id": item_id, "doc": doc})
    if sluice:
        results.update(api_server_errors(sluice))
    if core:
        results.update(run_worker("validate", {"versions": KUBE_VERSIONS, "items": core}))
    return results


def assert_valid(docs_by_id):
    failures = {k: v for k, v in validate_all(docs_by_id).items() if v}
    assert not failures, "invalid objects:\n" + "\n".join(f"  {k}: {v}" for k, v in failures.items())


def describe(doc):
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('namespace', '')}/{doc.get('metadata', {}).get('name')}"


# ---------------------------------------------------------------------------------------------
# deploy/


def kustomization():
    (doc,) = load_documents(os.path.join(DEPLOY, "kustomization.yaml"))
    return doc


def manifest_files():
    """The YAML files of deploy/ that hold objects (not examples, not the kustomization)."""
    files = sorted(glob.glob(os.path.join(DEPLOY, "*.yaml")) + glob.glob(os.path.join(DEPLOY, "crds/*.yaml")))
    return [f for f in files if os.path.basename(f) != "kustomization.yaml"]


@functools.lru_cache(maxsize=None)
def _deploy_objects_json():
    objects = {}
    for path in manifest_files():
        for index, doc in enumerate(load_documents(path)):
            objects[f"{os.path.relpath(path, ROOT)}[{index}] {describe(doc)}"] = doc
    return json.dumps(objects)


def deploy_objects():
    return json.loads(_deploy_objects_json())


def kustomize_objects():
    """What `kubectl apply -k deploy/` applies, assembled as kustomize does for this file's
    features (resources, configMapGenerator with literal file names, no suffix hash)."""
    k = kustomization()
    objects = []
    for resource in k["resources"]:
        objects += load_documents(os.path.join(DEPLOY, resource))
    for generator in k.get("configMapGenerator", []):
        data = {}
        for entry in generator.get("files", []):
            key, _, path = entry.partition("=") if "=" in entry else (os.path.basename(entry), "", entry)
            if not os.path.exists(os.path.join(DEPLOY, path)):
                data[key] = "{}"  # the dashboard, until issue 6 adds it (test_kustomization_grafana_dashboard_exists)
                continue
            with open(os.path.join(DEPLOY, path), encoding="utf-8") as f:
                data[key] = f.read()
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": generator["name"], "namespace": generator.get("namespace", "default"),
                                     "labels": generator.get("options", {}).get("labels", {})}, "data": data})
    return objects


def test_every_deploy_manifest_is_valid_for_kubernetes_1_29_and_later():
    assert_valid(deploy_objects())


def test_gen_webhook_certs_secret_is_valid(tmp_path):
    subprocess.run([os.path.join(DEPLOY, "scripts/gen-webhook-certs.sh"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    (secret,) = load_documents(str(tmp_path / "secret.yaml"))
    assert_valid({"secret.yaml": secret})


def test_kustomization_lists_every_manifest_and_every_crd():
    k = kustomization()
    assert k["apiVersion"] == "kustomize.config.k8s.io/v1beta1" and k["kind"] == "Kustomization"
    resources = k["resources"]
    assert len(resources) == len(set(resources))
    for resource in resources:
        assert os.path.isfile(os.path.join(DEPLOY, resource)), f"kustomization.yaml names missing {resource}"
    crds = sorted(os.path.relpath(p, DEPLOY) for p in glob.glob(os.path.join(DEPLOY, "crds/*.yaml")))
    assert sorted(r for r in resources if r.startswith("crds/")) == crds
    # Every manifest of deploy/ is installed, except the cert-manager variant (applied on top).
    top = sorted(os.path.basename(p) for p in manifest_files() if os.path.dirname(p) == DEPLOY)
    assert sorted(r for r in resources if "/" not in r) == sorted(set(top) - {"cert-manager.yaml"})


def test_kustomization_grafana_dashboard_exists():
    if not os.path.isdir(os.path.join(DEPLOY, "grafana")):
        pytest.skip("deploy/grafana/ does not exist yet (issue 6 adds the dashboard)")
    for generator in kustomization().get("configMapGenerator", []):
        for entry in generator.get("files", []):
            path = entry.split("=", 1)[-1]
            assert os.path.isfile(os.path.join(DEPLOY, path)), f"kustomization.yaml names missing {path}"
            with open(os.path.join(DEPLOY, path), encoding="utf-8") as f:
                json.load(f)


def test_kubectl_kustomize_builds_deploy_when_kubectl_is_here(tmp_path):
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed: the kustomization is checked file by file instead")
    tree = tmp_path / "deploy"
    shutil.copytree(DEPLOY, tree, ignore=shutil.ignore_patterns("examples"))
    dashboard = tree / "grafana/sluice-dashboard.json"
    if not dashboard.exists():  # until issue 6 adds it
        dashboard.parent.mkdir(exist_ok=True)
        dashboard.write_text('{"title": "placeholder"}')
    result = subprocess.run([kubectl, "kustomize", str(tree)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    built = tmp_path / "built.yaml"
    built.write_text(result.stdout)
    got = sorted(describe(d) for d in load_documents(str(built)))
    assert got == sorted(describe(d) for d in kustomize_objects())


def test_namespaced_objects_are_in_sluice_system_and_it_is_never_injected():
    objects = kustomize_objects()
    (namespace,) = [d for d in objects if d["kind"] == "Namespace"]
    assert namespace["metadata"]["name"] == "sluice-system"
    assert namespace["metadata"]["labels"]["sluice.dev/inject"] == "disabled"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    cluster_scoped = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding",
                      "MutatingWebhookConfiguration"}
    for doc in objects:
        if doc["kind"] not in cluster_scoped:
            assert doc["metadata"].get("namespace") == "sluice-system", describe(doc)
        else:
            assert "namespace" not in doc["metadata"], describe(doc)


def _by_kind(objects, kind, name=None):
    found = [d for d in objects if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    assert found, f"no {kind} {name or ''}"
    return found


def check_rbac(objects, namespace):
    """Least privilege: exactly the rules the controller needs (docs/install.md, Permissions)."""
    (cluster_role,) = _by_kind(objects, "ClusterRole", "sluice-controller")
    rules = {(tuple(r["apiGroups"]), tuple(sorted(r["resources"])), tuple(sorted(r["verbs"])),
              tuple(r.get("resourceNames", ()))) for r in cluster_role["rules"]}
    plurals = tuple(sorted(PLURALS.values()))
    assert rules == {
        (("sluice.dev",), plurals, ("get", "list", "watch"), ()),
        (("sluice.dev",), tuple(sorted(p + "/status" for p in plurals)), ("get", "patch", "update"), ()),
        (("",), ("namespaces", "pods", "secrets"), ("get", "list", "watch"), ()),
        (("",), ("configmaps",), ("create", "delete", "get", "list", "patch", "update", "watch"), ()),
        (("",), ("events",), ("create", "patch"), ()),
        (("events.k8s.io",), ("events",), ("create", "patch"), ()),
    }
    for rule in cluster_role["rules"]:
        assert "*" not in rule["verbs"] + rule["resources"] + rule["apiGroups"], rule
    (role,) = _by_kind(objects, "Role", "sluice-controller-leader-election")
    assert role["metadata"]["namespace"] == namespace
    assert {(tuple(r["resources"]), tuple(r["verbs"]), tuple(r.get("resourceNames", ()))) for r in role["rules"]} == {
        (("leases",), ("create",), ()), (("leases",), ("get", "update"), ("sluice-controller",))}
    assert all(r["apiGroups"] == ["coordination.k8s.io"] for r in role["rules"])
    (account,) = _by_kind(objects, "ServiceAccount", "sluice-controller")
    for kind, role_kind, role_name in [("ClusterRoleBinding", "ClusterRole", "sluice-controller"),
                                       ("RoleBinding", "Role", "sluice-controller-leader-election")]:
        (binding,) = _by_kind(objects, kind)
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "sluice-controller", "namespace": namespace}]
    assert account["metadata"]["namespace"] == namespace


def check_controller(objects, namespace, replicas=2, webhook=True):
    (deployment,) = _by_kind(objects, "Deployment", "sluice-controller")
    spec = deployment["spec"]
    assert spec["replicas"] == replicas
    pod = spec["template"]["spec"]
    assert spec["template"]["metadata"]["labels"]["sluice.dev/inject"] == "disabled"
    assert set(spec["selector"]["matchLabels"].items()) <= set(spec["template"]["metadata"]["labels"].items())
    assert pod["serviceAccountName"] == "sluice-controller"
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 65532
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    anti = pod["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert anti[0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    (container,) = pod["containers"]
    assert container["image"].startswith("ghcr.io/sluice-dev/sluice-controller:")
    assert container["args"][0] == "run"
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["requests"] and container["resources"]["limits"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["http-metrics"] == 8080
    for probe, path in [("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")]:
        assert container[probe]["httpGet"] == {"path": path, "port": "http-metrics"}
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["POD_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert env["POD_NAME"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert env["SLUICE_SIDECAR_IMAGE"].startswith("ghcr.io/sluice-dev/sluice:")
    json.loads(env["SLUICE_SIDECAR_RESOURCES"])
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    if webhook:
        assert ports["webhook"] == 8443
        tls = mounts["/etc/sluice/webhook-tls"]
        assert tls["readOnly"] is True
        assert volumes[tls["name"]]["secret"]["secretName"] == "sluice-webhook-tls"
    else:
        assert "webhook" not in ports and "/etc/sluice/webhook-tls" not in mounts
    (service,) = _by_kind(objects, "Service", "sluice-controller")
    assert service["spec"]["selector"].items() <= spec["template"]["metadata"]["labels"].items()
    service_ports = {p["name"]: (p["port"], p["targetPort"]) for p in service["spec"]["ports"]}
    assert service_ports["http-metrics"] == (8080, "http-metrics")
    if webhook:
        assert service_ports["webhook"] == (443, "webhook")
    (pdb,) = _by_kind(objects, "PodDisruptionBudget", "sluice-controller")
    assert pdb["spec"]["minAvailable"] == 1 and pdb["spec"]["selector"] == spec["selector"]


def check_webhook(objects, namespace, ca_bundle_expected):
    (config,) = _by_kind(objects, "MutatingWebhookConfiguration", "sluice-sidecar-injector")
    webhooks = {w["name"]: w for w in config["webhooks"]}
    assert sorted(webhooks) == ["namespace.inject.sluice.dev", "pod.inject.sluice.dev"]
    for hook in webhooks.values():
        assert hook["failurePolicy"] == "Ignore" and hook["sideEffects"] == "None"
        assert hook["admissionReviewVersions"] == ["v1"] and hook["timeoutSeconds"] == 5
        assert hook["reinvocationPolicy"] == "IfNeeded"
        assert hook["rules"] == [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                                  "resources": ["pods"], "scope": "Namespaced"}]
        service = hook["clientConfig"]["service"]
        assert service == {"name": "sluice-controller", "namespace": namespace, "path": "/mutate-pods", "port": 443}
        assert bool(hook["clientConfig"].get("caBundle")) == ca_bundle_expected
        (service_object,) = _by_kind(objects, "Service", "sluice-controller")
        assert 443 in [p["port"] for p in service_object["spec"]["ports"]]
    # Who is sent: exactly the opted-in pods, each once (evaluated like the API server does).
    cases = [  # namespace labels, pod labels, namespace name → sent to the webhook?
        ({"sluice.dev/inject": "enabled"}, {}, "chat", True),
        ({"sluice.dev/inject": "enabled"}, {"sluice.dev/inject": "disabled"}, "chat", False),
        ({}, {"sluice.dev/inject": "enabled"}, "chat", True),
        ({"sluice.dev/inject": "disabled"}, {"sluice.dev/inject": "enabled"}, "chat", True),  # the pod decides
        ({"sluice.dev/inject": "enabled"}, {"sluice.dev/inject": "enabled"}, "chat", True),
        ({}, {}, "chat", False),
        ({"sluice.dev/inject": "disabled"}, {}, "chat", False),
        ({"sluice.dev/inject": "enabled"}, {}, "kube-system", False),
        ({}, {"sluice.dev/inject": "enabled"}, namespace, False),
    ]
    for ns_labels, pod_labels, ns_name, expected in cases:
        ns_labels = {**ns_labels, "kubernetes.io/metadata.name": ns_name}
        sent = [name for name, hook in webhooks.items()
                if selector_matches(hook["namespaceSelector"], ns_labels) and selector_matches(hook["objectSelector"], pod_labels)]
        assert len(sent) == (1 if expected else 0), f"namespace {ns_labels}, pod {pod_labels}: sent to {sent}"
    return config


def selector_matches(selector, labels):
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def check_monitoring(objects, namespace):
    (pod_monitor,) = _by_kind(objects, "PodMonitor", "sluice-sidecars")
    assert pod_monitor["spec"]["namespaceSelector"] == {"any": True}
    (endpoint,) = pod_monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] == "sluice-metrics" and endpoint["path"] == "/metrics"
    (service_monitor,) = _by_kind(objects, "ServiceMonitor", "sluice-controller")
    (deployment,) = _by_kind(objects, "Deployment", "sluice-controller")
    assert service_monitor["spec"]["selector"]["matchLabels"].items() <= deployment["metadata"]["labels"].items()
    assert service_monitor["spec"]["endpoints"][0]["port"] == "http-metrics"
    for monitor in (pod_monitor, service_monitor):
        assert monitor["metadata"]["labels"]["app.kubernetes.io/component"] == "monitoring"


def test_deploy_rbac_is_least_privilege():
    check_rbac(kustomize_objects(), "sluice-system")


def test_deploy_controller_is_hardened_replicated_and_probed():
    check_controller(kustomize_objects(), "sluice-system")


def test_deploy_webhook_sends_exactly_the_opted_in_pods():
    config = check_webhook(kustomize_objects(), "sluice-system", ca_bundle_expected=False)
    assert config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == "sluice-system/sluice-webhook"


def test_deploy_monitors_select_sidecars_and_controller():
    check_monitoring(kustomize_objects(), "sluice-system")


def test_cert_manager_variant_issues_the_secret_the_webhook_trusts():
    docs = load_documents(os.path.join(DEPLOY, "cert-manager.yaml"))
    (certificate,) = [d for d in docs if d["kind"] == "Certificate"]
    (issuer,) = [d for d in docs if d["kind"] == "Issuer"]
    assert certificate["spec"]["secretName"] == "sluice-webhook-tls"
    assert certificate["spec"]["issuerRef"]["name"] == issuer["metadata"]["name"]
    assert sorted(certificate["spec"]["dnsNames"]) == ["sluice-controller.sluice-system.svc",
                                                       "sluice-controller.sluice-system.svc.cluster.local"]
    (webhook,) = load_documents(os.path.join(DEPLOY, "webhook.yaml"))
    namespace, name = webhook["metadata"]["annotations"]["cert-manager.io/inject-ca-from"].split("/")
    assert (namespace, name) == (certificate["metadata"]["namespace"], certificate["metadata"]["name"])


def _openssl(*args, **kwargs):
    return subprocess.run(["openssl", *args], capture_output=True, text=True, check=True, **kwargs).stdout


def test_gen_webhook_certs_makes_a_chain_for_the_service_and_keeps_the_ca_on_rotation(tmp_path):
    script = os.path.join(DEPLOY, "scripts/gen-webhook-certs.sh")
    subprocess.run([script, "--out", str(tmp_path), "--namespace", "ops"], check=True, capture_output=True)
    for name in ("ca.crt", "ca.key", "tls.crt", "tls.key", "secret.yaml", "ca-bundle.b64"):
        assert (tmp_path / name).exists(), name
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, f"{name} is readable by others"
    assert "OK" in _openssl("verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt"))
    text = _openssl("x509", "-in", str(tmp_path / "tls.crt"), "-noout", "-text")
    assert "DNS:sluice-controller.ops.svc, DNS:sluice-controller.ops.svc.cluster.local" in text
    assert "TLS Web Server Authentication" in text and "CA:FALSE" in text
    # The key is the certificate's.
    assert _openssl("pkey", "-in", str(tmp_path / "tls.key"), "-pubout") == \
        _openssl("x509", "-in", str(tmp_path / "tls.crt"), "-noout", "-pubkey")
    (secret,) = load_documents(str(tmp_path / "secret.yaml"))
    assert secret["metadata"] == {"name": "sluice-webhook-tls", "namespace": "ops",
                                  "labels": {"app.kubernetes.io/part-of": "sluice"}}
    assert secret["type"] == "kubernetes.io/tls"
    for key in ("ca.crt", "tls.crt", "tls.key"):
        assert base64.b64decode(secret["data"][key]) == (tmp_path / key).read_bytes()
    assert base64.b64decode((tmp_path / "ca-bundle.b64").read_text()) == (tmp_path / "ca.crt").read_bytes()
    ca, cert = (tmp_path / "ca.crt").read_bytes(), (tmp_path / "tls.crt").read_bytes()
    subprocess.run([script, "--out", str(tmp_path), "--namespace", "ops"], check=True, capture_output=True)
    assert (tmp_path / "ca.crt").read_bytes() == ca and (tmp_path / "tls.crt").read_bytes() != cert
    assert "OK" in _openssl("verify", "-CAfile", str(tmp_path / "ca.crt"), str(tmp_path / "tls.crt"))


def test_gen_webhook_certs_apply_patches_every_webhook(tmp_path):
    """--apply with a stand-in kubectl that records its calls and knows two webhooks."""
    calls = tmp_path / "calls"
    fake = tmp_path / "kubectl"
    fake.write_text("#!/bin/sh\nprintf '%%s\\037' \"$@\" >> %s\necho >> %s\n"
                    "case \"$1\" in get) echo 'namespace.inject.sluice.dev pod.inject.sluice.dev' ;; esac\n" % (calls, calls))
    fake.chmod(0o755)
    out = tmp_path / "out"
    subprocess.run([os.path.join(DEPLOY, "scripts/gen-webhook-certs.sh"), "--apply", "--out", str(out)], check=True,
                   capture_output=True, env={**os.environ, "KUBECTL": str(fake)})
    apply, get, args = [line.rstrip("\037").split("\037") for line in calls.read_text().splitlines()]
    assert apply == ["apply", "-f", f"{out}/secret.yaml"]
    assert get[:3] == ["get", "mutatingwebhookconfiguration", "sluice-sidecar-injector"]
    assert args[:4] == ["patch", "mutatingwebhookconfiguration", "sluice-sidecar-injector", "--type=json"]
    ops = json.loads(args[-1])
    bundle = (out / "ca-bundle.b64").read_text()
    assert ops == [{"op": "add", "path": f"/webhooks/{i}/clientConfig/caBundle", "value": bundle} for i in (0, 1)]


def test_gen_webhook_certs_refuses_unknown_arguments():
    result = subprocess.run([os.path.join(DEPLOY, "scripts/gen-webhook-certs.sh"), "--nope"], capture_output=True, text=True)
    assert result.returncode == 2 and "unknown argument --nope" in result.stderr


# ---------------------------------------------------------------------------------------------
# charts/sluice

CHART_SCENARIOS = {
    "default": {},
    "cert-manager": {"webhook": {"certManager": {"enabled": True}}},
    "cert-manager-issuer": {"webhook": {"certManager": {"enabled": True, "issuerRef": {"name": "corp-ca", "kind": "ClusterIssuer"}}}},
    "ca-bundle": {"webhook": {"caBundle": base64.b64encode(b"-----BEGIN CERTIFICATE-----\n").decode()}},
    "no-webhook": {"webhook": {"enabled": False}},
    "minimal": {"monitoring": {"podMonitor": {"enabled": False}, "serviceMonitor": {"enabled": False}},
                "grafana": {"dashboard": {"enabled": False}}, "controller": {"replicas": 1, "podDisruptionBudget": {"enabled": False}}},
    "custom-images": {"controller": {"image": {"repository": "registry.example/sluice-controller", "tag": "dev"}},
                      "sidecar": {"image": {"repository": "registry.example/sluice", "tag": "dev", "pullPolicy": "Always"},
                                  "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}},
                      "imagePullSecrets": [{"name": "registry"}], "webhook": {"excludeNamespaces": ["legacy"]}},
}
# As a previous release left it: owned by Helm's release "sluice" (else install refuses to adopt it).
EXISTING_SECRET = {
    "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
    "metadata": {"name": "sluice-webhook-tls", "namespace": "sluice-system", "resourceVersion": "7",
                 "labels": {"app.kubernetes.io/managed-by": "Helm"},
                 "annotations": {"meta.helm.sh/release-name": "sluice", "meta.helm.sh/release-namespace": "sluice-system"}},
    "data": {"ca.crt": base64.b64encode(b"existing CA").decode(), "tls.crt": base64.b64encode(b"existing cert").decode(),
             "tls.key": base64.b64encode(b"existing key").decode()},
}
# The Prometheus Operator's API: present in the fake cluster unless a scenario says "absent".
MONITORING_API = "monitoring.coreos.com/v1"
MONITORING_SCENARIOS = {
    "default": {},
    "forced-on": {"monitoring": {"podMonitor": {"enabled": True}, "serviceMonitor": {"enabled": True}}},
    "forced-off": {"monitoring": {"podMonitor": {"enabled": False}, "serviceMonitor": {"enabled": False}}},
    "auto": {"monitoring": {"podMonitor": {"enabled": "auto"}, "serviceMonitor": {"enabled": "auto"}}},
}
BAD_VALUES = {
    "replicas-not-a-number": {"controller": {"replicas": "two"}},
    "unknown-key": {"controller": {"replica": 2}},
    "bad-pull-policy": {"sidecar": {"image": {"pullPolicy": "Sometimes"}}},
    "bad-quantity": {"sidecar": {"resources": {"limits": {"memory": "128 MB"}}}},
    "bad-failure-policy": {"webhook": {"failurePolicy": "ignore"}},
    "bad-monitor-switch": {"monitoring": {"podMonitor": {"enabled": "yes"}}},
}


@functools.lru_cache(maxsize=None)
def _chart_renders_json():
    scenarios = [{"id": name, "values": values, "namespace": "sluice-system"} for name, values in CHART_SCENARIOS.items()]
    scenarios.append({"id": "other-namespace", "values": {}, "namespace": "platform-llm"})
    scenarios.append({"id": "existing-secret", "values": {}, "existing": {
        "/api/v1/namespaces/sluice-system/secrets/sluice-webhook-tls": EXISTING_SECRET}})
    scenarios.append({"id": "kube-1.28", "values": {}, "kube_version": "1.28.9"})
    for name, values in MONITORING_SCENARIOS.items():
        scenarios.append({"id": f"plain:{name}", "values": values, "absent": [MONITORING_API]})
        scenarios.append({"id": f"operator:{name}", "values": values})
    scenarios += [{"id": f"bad:{name}", "values": values} for name, values in BAD_VALUES.items()]
    return json.dumps(run_worker("helm", {"chart": CHART, "scenarios": scenarios}))


def chart_render(scenario):
    outcome = json.loads(_chart_renders_json())[scenario]
    return outcome


def rendered(scenario):
    outcome = chart_render(scenario)
    assert not outcome.get("error"), f"helm install ({scenario}) failed: {outcome['error']}"
    return outcome["docs"]


def test_chart_crds_are_copies_of_deploy_crds():
    deploy = sorted(os.path.basename(p) for p in glob.glob(os.path.join(DEPLOY, "crds/*.yaml")))
    chart = sorted(os.path.basename(p) for p in glob.glob(os.path.join(CHART, "crds/*.yaml")))
    assert chart == deploy
    for name in deploy:
        with open(os.path.join(DEPLOY, "crds", name), "rb") as a, open(os.path.join(CHART, "crds", name), "rb") as b:
            assert a.read() == b.read(), f"charts/sluice/crds/{name} differs from deploy/crds/{name}: run deploy/scripts/sync-chart.sh (make manifests)"


def test_chart_dashboard_is_a_copy_of_deploy_grafana():
    source = os.path.join(DEPLOY, "grafana/sluice-dashboard.json")
    copy_path = os.path.join(CHART, "dashboards/sluice-dashboard.json")
    if not os.path.exists(source):
        assert not os.path.exists(copy_path), "the chart has a dashboard deploy/grafana/ does not"
        pytest.skip("deploy/grafana/sluice-dashboard.json does not exist yet (issue 6)")
    assert os.path.exists(copy_path), "run deploy/scripts/sync-chart.sh (make manifests)"
    with open(source, "rb") as a, open(copy_path, "rb") as b:
        assert a.read() == b.read(), "charts/sluice/dashboards/sluice-dashboard.json differs from deploy/grafana/"


def test_chart_metadata():
    (chart,) = load_documents(os.path.join(CHART, "Chart.yaml"))
    assert chart["apiVersion"] == "v2" and chart["name"] == "sluice"
    assert chart["version"] == "0.1.0" and chart["appVersion"] == "0.1.0"
    assert chart["kubeVersion"] == ">=1.29.0-0"


def test_chart_passes_helm_lint_without_errors_or_warnings():
    result = run_worker("lint", {"chart": CHART})
    # Helm's severities: 1 info, 2 warning, 3 error. Info (e.g. "icon is recommended") is fine.
    bad = [m for m in result["messages"] if m["severity"] >= 2]
    assert not bad and result["errors"] == 0, f"helm lint: {bad} (run `helm lint charts/sluice` for the messages)"


def test_chart_lint_catches_a_broken_template(tmp_path):
    """The lint test can fail: a chart with a template error does."""
    broken = tmp_path / "sluice"
    shutil.copytree(CHART, broken)
    (broken / "templates/broken.yaml").write_text("{{ .Values.controller.nothing.here }}\n")
    result = run_worker("lint", {"chart": str(broken)})
    assert result["errors"] > 0 and any(m["severity"] == 3 for m in result["messages"])


def test_values_are_valid_against_values_schema():
    with open(os.path.join(CHART, "values.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    (values,) = load_documents(os.path.join(CHART, "values.yaml"))
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(values))
    assert not errors, [e.message for e in errors]
    assert values["sidecar"]["resources"] == {"requests": {"cpu": "50m", "memory": "32Mi"},
                                              "limits": {"cpu": "500m", "memory": "128Mi"}}
    for name, bad in BAD_VALUES.items():
        merged = copy.deepcopy(values)
        _merge(merged, bad)
        assert list(jsonschema.Draft7Validator(schema).iter_errors(merged)), f"{name} was accepted"


def _merge(into, overrides):
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


@pytest.mark.parametrize("scenario", sorted(CHART_SCENARIOS) + ["other-namespace"])
def test_chart_renders_valid_objects(scenario):
    docs = rendered(scenario)
    assert docs
    assert_valid({f"{scenario}[{i}] {describe(d)}": d for i, d in enumerate(docs)})


def test_chart_installs_the_crds_first():
    created = chart_render("default")["created"]
    crds = [name for kind, name in created if kind == "CustomResourceDefinition"]
    assert sorted(crds) == sorted(f"{p}.sluice.dev" for p in PLURALS.values())
    assert [kind for kind, _ in created[:len(crds)]] == ["CustomResourceDefinition"] * len(crds)


def _identity(doc):
    return (doc["kind"], doc["metadata"]["name"])


def test_chart_default_installs_what_kustomize_installs():
    chart = {_identity(d) for d in rendered("default") if d["kind"] != "Secret"}
    kustomize = {_identity(d) for d in kustomize_objects() if d["kind"] not in ("Namespace", "CustomResourceDefinition")}
    if not os.path.exists(os.path.join(CHART, "dashboards/sluice-dashboard.json")):
        kustomize.discard(("ConfigMap", "sluice-grafana-dashboard"))  # until issue 6's dashboard exists
    assert chart == kustomize


def test_chart_objects_match_the_kustomize_ones():
    """The chart and deploy/ describe the same install: same RBAC, controller, webhook."""
    chart = rendered("default")
    check_rbac(chart, "sluice-system")
    check_controller(chart, "sluice-system")
    check_monitoring(chart, "sluice-system")
    check_webhook(chart, "sluice-system", ca_bundle_expected=True)
    (kustomize_role,) = _by_kind(kustomize_objects(), "ClusterRole")
    (chart_role,) = _by_kind(chart, "ClusterRole")
    assert chart_role["rules"] == kustomize_role["rules"]
    (kustomize_hook,) = _by_kind(kustomize_objects(), "MutatingWebhookConfiguration")
    (chart_hook,) = _by_kind(chart, "MutatingWebhookConfiguration")
    for a, b in zip(kustomize_hook["webhooks"], chart_hook["webhooks"]):
        b = copy.deepcopy(b)
        b["clientConfig"].pop("caBundle")
        assert a == b


def test_chart_in_another_namespace_uses_it_everywhere():
    docs = rendered("other-namespace")
    check_rbac(docs, "platform-llm")
    check_controller(docs, "platform-llm")
    check_webhook(docs, "platform-llm", ca_bundle_expected=True)
    (secret,) = _by_kind(docs, "Secret", "sluice-webhook-tls")
    assert _cert_names(secret) == ["sluice-controller.platform-llm.svc", "sluice-controller.platform-llm.svc.cluster.local"]


def _cert_names(secret):
    with tempfile.TemporaryDirectory() as directory:
        for key in ("ca.crt", "tls.crt", "tls.key"):
            with open(os.path.join(directory, key), "wb") as f:
                f.write(base64.b64decode(secret["data"][key]))
        assert "OK" in _openssl("verify", "-CAfile", os.path.join(directory, "ca.crt"), os.path.join(directory, "tls.crt"))
        assert _openssl("pkey", "-in", os.path.join(directory, "tls.key"), "-pubout") == \
            _openssl("x509", "-in", os.path.join(directory, "tls.crt"), "-noout", "-pubkey")
        text = _openssl("x509", "-in", os.path.join(directory, "tls.crt"), "-noout", "-ext", "subjectAltName")
    return re.findall(r"DNS:([^,\s]+)", text)


def test_chart_generates_a_webhook_certificate_the_ca_bundle_verifies():
    docs = rendered("default")
    (secret,) = _by_kind(docs, "Secret", "sluice-webhook-tls")
    assert secret["type"] == "kubernetes.io/tls"
    assert _cert_names(secret) == ["sluice-controller.sluice-system.svc", "sluice-controller.sluice-system.svc.cluster.local"]
    (config,) = _by_kind(docs, "MutatingWebhookConfiguration")
    assert {w["clientConfig"]["caBundle"] for w in config["webhooks"]} == {secret["data"]["ca.crt"]}


def test_chart_keeps_the_certificate_of_an_existing_secret():
    """An upgrade (or a reinstall: the Secret is kept) must not rotate the CA under running pods:
    with the release's Secret already in the API server, the chart reuses it (lookup)."""
    docs = rendered("existing-secret")
    (secret,) = _by_kind(docs, "Secret", "sluice-webhook-tls")
    assert secret["data"] == EXISTING_SECRET["data"]
    (config,) = _by_kind(docs, "MutatingWebhookConfiguration")
    assert {w["clientConfig"]["caBundle"] for w in config["webhooks"]} == {EXISTING_SECRET["data"]["ca.crt"]}


def test_chart_with_cert_manager_uses_a_certificate_and_the_ca_injector():
    docs = rendered("cert-manager")
    assert not [d for d in docs if d["kind"] == "Secret"]
    (certificate,) = _by_kind(docs, "Certificate", "sluice-webhook")
    (issuer,) = _by_kind(docs, "Issuer", "sluice-selfsigned")
    assert certificate["spec"]["secretName"] == "sluice-webhook-tls"
    assert certificate["spec"]["issuerRef"] == {"name": "sluice-selfsigned", "kind": "Issuer", "group": "cert-manager.io"}
    config = check_webhook(docs, "sluice-system", ca_bundle_expected=False)
    assert config["metadata"]["annotations"] == {"cert-manager.io/inject-ca-from": "sluice-system/sluice-webhook"}
    docs = rendered("cert-manager-issuer")
    assert not [d for d in docs if d["kind"] == "Issuer"]
    (certificate,) = _by_kind(docs, "Certificate", "sluice-webhook")
    assert certificate["spec"]["issuerRef"] == {"name": "corp-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}


def test_chart_with_a_given_ca_bundle_creates_no_secret():
    docs = rendered("ca-bundle")
    assert not [d for d in docs if d["kind"] in ("Secret", "Certificate", "Issuer")]
    check_webhook(docs, "sluice-system", ca_bundle_expected=True)


def test_chart_without_webhook_has_no_webhook_objects():
    docs = rendered("no-webhook")
    assert not [d for d in docs if d["kind"] in ("MutatingWebhookConfiguration", "Secret", "Certificate", "Issuer")]
    check_controller(docs, "sluice-system", webhook=False)
    (deployment,) = _by_kind(docs, "Deployment")
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["SLUICE_WEBHOOK_ENABLED"] == "false"


def test_chart_minimal_drops_monitors_dashboard_and_pdb():
    docs = rendered("minimal")
    kinds = {d["kind"] for d in docs}
    assert not kinds & {"PodMonitor", "ServiceMonitor", "PodDisruptionBudget"}
    assert not [d for d in docs if d["kind"] == "ConfigMap"]
    (deployment,) = _by_kind(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 1


def test_chart_values_reach_the_controller_and_the_injector():
    docs = rendered("custom-images")
    (deployment,) = _by_kind(docs, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "registry"}]
    container = pod["containers"][0]
    assert container["image"] == "registry.example/sluice-controller:dev"
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["SLUICE_SIDECAR_IMAGE"] == "registry.example/sluice:dev"
    assert env["SLUICE_SIDECAR_IMAGE_PULL_POLICY"] == "Always"
    assert json.loads(env["SLUICE_SIDECAR_RESOURCES"]) == {"requests": {"cpu": "10m", "memory": "16Mi"},
                                                           "limits": {"cpu": "500m", "memory": "128Mi"}}
    (config,) = _by_kind(docs, "MutatingWebhookConfiguration")
    for hook in config["webhooks"]:
        (names,) = [e for e in hook["namespaceSelector"]["matchExpressions"] if e["key"] == "kubernetes.io/metadata.name"]
        assert names == {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                         "values": ["kube-system", "sluice-system", "legacy"]}
    default = {e["name"]: e.get("value") for e in _by_kind(rendered("default"), "Deployment")[0]["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert default["SLUICE_SIDECAR_IMAGE"] == "ghcr.io/sluice-dev/sluice:0.1.0"
    assert json.loads(default["SLUICE_SIDECAR_RESOURCES"]) == {"requests": {"cpu": "50m", "memory": "32Mi"},
                                                               "limits": {"cpu": "500m", "memory": "128Mi"}}


@pytest.mark.parametrize("name", sorted(BAD_VALUES))
def test_chart_refuses_bad_values(name):
    error = chart_render(f"bad:{name}").get("error")
    assert error and "schema" in error.lower(), f"helm accepted values {BAD_VALUES[name]}: {error}"


def _monitors(docs):
    return sorted(d["kind"] for d in docs if d["kind"] in ("PodMonitor", "ServiceMonitor"))


@pytest.mark.parametrize("name", ["default", "auto"])
def test_chart_installs_on_a_cluster_without_the_prometheus_operator(name):
    """Default values on a plain cluster: no PodMonitor or ServiceMonitor (their kinds are unknown
    there, and sending them fails the whole install), and everything else as usual."""
    docs = rendered(f"plain:{name}")
    assert _monitors(docs) == []
    check_controller(docs, "sluice-system")
    check_webhook(docs, "sluice-system", ca_bundle_expected=True)
    assert_valid({f"plain:{name}[{i}] {describe(d)}": d for i, d in enumerate(docs)})
    # With the operator's API served, the same values bring both monitors.
    operator = rendered(f"operator:{name}")
    assert _monitors(operator) == ["PodMonitor", "ServiceMonitor"]
    check_monitoring(operator, "sluice-system")


def test_monitor_values_force_them_on_or_off_whatever_the_cluster_serves():
    assert _monitors(rendered("operator:forced-off")) == _monitors(rendered("plain:forced-off")) == []
    assert _monitors(rendered("operator:forced-on")) == ["PodMonitor", "ServiceMonitor"]
    # Forced on where the kinds do not exist: Helm refuses, as a cluster would (nothing half-installed).
    error = chart_render("plain:forced-on").get("error") or ""
    assert "PodMonitor" in error or "ServiceMonitor" in error or "monitoring.coreos.com" in error, error


def test_chart_refuses_kubernetes_older_than_1_29():
    error = chart_render("kube-1.28").get("error") or ""
    assert "kubeversion" in error.lower() or "kubernetes version" in error.lower(), error


def test_chart_notes_tell_how_to_opt_a_namespace_in():
    with open(os.path.join(CHART, "templates/NOTES.txt"), encoding="utf-8") as f:
        notes = f.read()
    assert "kubectl label namespace <your-namespace> sluice.dev/inject=enabled" in notes
    assert "sluice.dev/inject: disabled" in notes


# ---------------------------------------------------------------------------------------------
# Dockerfile


def dockerfile_stages():
    """[(name, base, [(instruction, arguments)])] of the Dockerfile, continuation lines joined."""
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
    args, stages = {}, []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG" and not stages:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip()
        elif instruction == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), parts[0])
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append((name, base, []))
        else:
            stages[-1][2].append((instruction, rest))
    return stages


def test_dockerfile_builds_both_executables_static_on_the_swift_image():
    stages = {name: (base, body) for name, base, body in dockerfile_stages()}
    base, body = stages["build"]
    assert re.fullmatch(r"swift:6\.\d+-bookworm", base), base
    runs = " ".join(arguments for instruction, arguments in body if instruction == "RUN")
    assert "libcurl4-openssl-dev" in runs and "libssl-dev" in runs
    builds = re.findall(r"swift build ([^&]*)", runs)
    products = set()
    for build in builds:
        if "--show-bin-path" in build:
            continue
        assert "-c release" in build and "--static-swift-stdlib" in build, build
        products |= set(re.findall(r"--product (\S+)", build))
    assert products == {"sluice", "sluice-mock", "sluice-controller"}


def test_dockerfile_run_images_are_slim_non_root_and_fetch_nothing_by_hand():
    stages = dockerfile_stages()
    names = [name for name, _, _ in stages]
    assert {"sidecar", "controller"} <= set(names)
    assert names[-1] == "sidecar", "a plain `docker build .` gives the sidecar"
    by_name = {name: (base, body) for name, base, body in stages}

    def lineage(name):  # the stage's instructions, its bases' first
        base, body = by_name[name]
        return (lineage(base) if base in by_name else [("FROM", base)]) + body

    for target, binaries, entrypoint in [("sidecar", {"sluice", "sluice-mock"}, "/usr/local/bin/sluice"),
                                         ("controller", {"sluice-controller"}, "/usr/local/bin/sluice-controller")]:
        steps = lineage(target)
        assert steps[0] == ("FROM", "debian:bookworm-slim"), steps[0]
        installs = " ".join(a for i, a in steps if i == "RUN")
        packages = set(re.findall(r"apt-get install -y --no-install-recommends ([^&]*)", installs)[0].split())
        assert packages == {"libcurl4", "libssl3", "ca-certificates"}, packages
        assert "rm -rf /var/lib/apt/lists/*" in installs
        users = [a for i, a in steps if i == "USER"]
        assert users and users[-1].split(":")[0] == "65532", users
        copies = [a for i, a in steps if i == "COPY"]
        copied = {os.path.basename(p) for a in copies for p in a.split() if p.startswith("/out/")}
        assert copied == binaries and all("--from=build" in a for a in copies)
        (entry,) = [json.loads(a) for i, a in steps if i == "ENTRYPOINT"]
        assert entry == [entrypoint]
    sidecar_cmd = [json.loads(a) for i, a in lineage("sidecar") if i == "CMD"][-1]
    assert sidecar_cmd == ["--config-dir", "/etc/sluice/config", "--secrets-dir", "/etc/sluice/secrets"]
    with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    assert not re.search(r"(curl|wget)[^\n|]*\|\s*(ba)?sh", text), "no curl | sh in the Dockerfile"
    assert not re.search(r"^\s*ADD\s+https?://", text, re.M), "no remote ADD"


def test_dockerignore_keeps_the_context_to_the_sources():
    with open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8") as f:
        lines = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    assert lines[0] == "*" and {"!Package.swift", "!Sources/", "!Tests/"} <= set(lines)
    copied = {a.split()[0] for _, _, body in dockerfile_stages() for i, a in body if i == "COPY" and "--from" not in a}
    assert copied == {"Package.swift", "Sources", "Tests"}


def test_build_images_script_says_what_it_would_run_without_an_engine(tmp_path):
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run([os.path.join(DEPLOY, "scripts/build-images.sh")], capture_output=True, text=True,
                            env={**os.environ, "DOCKER": str(fake), "SWIFT_VERSION": "6.3"})
    assert result.returncode == 1
    assert f"{fake} build --build-arg SWIFT_VERSION=6.3 --target sidecar -t ghcr.io/sluice-dev/sluice:0.1.0 ." in result.stderr
    assert "--target controller -t ghcr.io/sluice-dev/sluice-controller:0.1.0 ." in result.stderr


# ---------------------------------------------------------------------------------------------
# docs/install.md, followed as far as this machine allows.
#
# Every ```sh block is preceded by a marker comment saying how far it can be followed here:
#   <!-- check: run -->                          run, offline (HOME is a scratch directory)
#   <!-- check: build -->                        builds from source: run in the checkout when the
#                                                Swift toolchain is on PATH (HOME is a scratch
#                                                directory, whose .local/bin is put on PATH)
#   <!-- check: engine -->                       needs a container engine: syntax and paths checked
#   <!-- check: cluster -->                      needs a cluster: syntax checked, paths checked,
#                                                helm commands installed into the fake API server
#   <!-- check: needs sluice-controller CMD -->  run once .build/debug/sluice-controller has CMD
# and ```yaml blocks preceded by <!-- file: NAME --> are files the following blocks use; their
# objects are validated like deploy/'s.

INSTALL_MD = os.path.join(ROOT, "docs/install.md")


def doc_blocks(path=INSTALL_MD):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    blocks = []
    for match in re.finditer(r"(?:<!--\s*(?P<marker>[^>]*?)\s*-->\s*\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", text, re.S):
        line = text.count("\n", 0, match.start("lang")) + 1
        blocks.append({"marker": match.group("marker") or "", "lang": match.group("lang"), "body": match.group("body"),
                       "line": line})
    return blocks


def sh_blocks():
    return [b for b in doc_blocks() if b["lang"] == "sh"]


def test_install_md_marks_every_sh_block():
    for block in sh_blocks():
        assert re.fullmatch(r"check: (run|build|engine|cluster|needs sluice-controller \w+)", block["marker"]), \
            f"docs/install.md line {block['line']}: ```sh block without a <!-- check: ... --> marker"
        subprocess.run(["bash", "-n"], input=block["body"], text=True, check=True)


def doc_workdir(tmp_path):
    """A scratch directory laid out like a checkout (deploy/, charts/ linked) with the doc's files."""
    for name in ("deploy", "charts", "Tests"):
        os.symlink(os.path.join(ROOT, name), tmp_path / name)
    for block in doc_blocks():
        match = re.fullmatch(r"file: (\S+)", block["marker"])
        if match:
            (tmp_path / match.group(1)).write_text(block["body"])
    return tmp_path


def test_install_md_files_are_valid_objects(tmp_path):
    objects = {}
    for block in doc_blocks():
        match = re.fullmatch(r"file: (\S+)", block["marker"])
        if match:
            path = tmp_path / match.group(1)
            path.write_text(block["body"])
            for index, doc in enumerate(load_documents(str(path))):
                objects[f"{match.group(1)}[{index}] {describe(doc)}"] = doc
    assert objects, "docs/install.md has no <!-- file: ... --> blocks"
    assert_valid(objects)


def test_install_md_offline_blocks_run(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    doc_workdir(work)
    home = tmp_path / "home"
    home.mkdir()
    ran = 0
    for block in sh_blocks():
        if block["marker"] != "check: run":
            continue
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", block["body"]], cwd=work, capture_output=True, text=True,
                                env={**os.environ, "HOME": str(home)}, timeout=120)
        assert result.returncode == 0, f"docs/install.md line {block['line']}:\n{block['body']}\n{result.stderr[-3000:]}"
        ran += 1
    assert ran, "no offline block in docs/install.md"


@pytest.mark.parametrize("block", [b for b in sh_blocks() if b["marker"] == "check: build"] if os.path.exists(INSTALL_MD) else [],
                         ids=lambda b: f"line{b['line']}")
def test_install_md_build_blocks_build_the_controller_from_this_checkout(block, tmp_path):
    """The build from source, as written: a release build (the first one takes minutes; later
    ones only rebuild what changed), the binary copied to ~/.local/bin, and run from there."""
    if not shutil.which("swift"):
        pytest.skip("\n\n*** SKIPPED: no Swift toolchain on PATH, so docs/install.md's build from source was not run ***\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PATH": f"{home}/.local/bin:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block["body"]], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=3600)
    assert result.returncode == 0, f"docs/install.md line {block['line']}:\n{block['body']}\n{result.stderr[-3000:]}"
    assert os.access(home / ".local/bin/sluice-controller", os.X_OK)
    assert "sluice-controller" in result.stdout  # its --help


def _shell_commands(body):
    """The commands of a shell block, continuation lines joined, comments dropped."""
    body = re.sub(r"\\\n\s*", " ", body)
    commands = []
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\s*(?:&&|\|\||;)\s*", line):
            words = shlex.split(part, comments=True)
            if words:
                commands.append(words)
    return commands


def test_install_md_cluster_blocks_name_real_files_and_kustomizations():
    for block in sh_blocks():
        if block["marker"] not in ("check: cluster", "check: engine"):
            continue
        for words in _shell_commands(block["body"]):
            for index, word in enumerate(words):
                if re.match(r"(deploy|charts)/", word):
                    assert os.path.exists(os.path.join(ROOT, word.rstrip("/"))), \
                        f"docs/install.md line {block['line']}: {word} does not exist"
                if word == "-k":
                    target = words[index + 1]
                    assert os.path.isfile(os.path.join(ROOT, target, "kustomization.yaml")), target


def _helm_installs():
    installs = []
    for block in sh_blocks():
        for words in _shell_commands(block["body"]):
            if words[:2] in (["helm", "install"], ["helm", "upgrade"]):
                installs.append((block["line"], words))
    return installs


def _helm_values(words):
    values, namespace = {}, "default"
    for index, word in enumerate(words):
        if word in ("--namespace", "-n"):
            namespace = words[index + 1]
        if word == "--set":
            key, _, raw = words[index + 1].partition("=")
            value = {"true": True, "false": False}.get(raw, int(raw) if raw.isdigit() else raw)
            node = values
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
    return values, namespace


def test_install_md_helm_commands_install_valid_objects():
    installs = _helm_installs()
    assert installs, "docs/install.md has no helm install"
    scenarios = []
    for line, words in installs:
        chart = [w for w in words[2:] if w.startswith("charts/")]
        assert chart == ["charts/sluice"], f"line {line}: {words}"
        values, namespace = _helm_values(words)
        # Each command works on a plain cluster (no Prometheus Operator) and on one with it.
        for cluster, absent in (("plain", [MONITORING_API]), ("operator", [])):
            scenarios.append({"id": f"install.md:{line}:{len(scenarios)}:{cluster}", "values": values,
                              "namespace": namespace, "absent": absent})
    results = run_worker("helm", {"chart": CHART, "scenarios": scenarios})
    objects = {}
    for scenario in scenarios:
        outcome = results[scenario["id"]]
        assert not outcome.get("error"), f"{scenario['id']}: {outcome['error']}"
        for index, doc in enumerate(outcome["docs"]):
            objects[f"{scenario['id']}[{index}] {describe(doc)}"] = doc
    assert_valid(objects)


def controller_commands():
    binary = os.path.join(BIN_DIR, "sluice-controller")
    if not os.access(binary, os.X_OK):
        return binary, set()
    result = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    text = result.stdout + result.stderr
    return binary, {c for c in ("render", "inject", "validate", "run", "webhook") if re.search(rf"^\s*{c}\b", text, re.M)}


NEEDS_BLOCKS = [b for b in sh_blocks() if b["marker"].startswith("check: needs")] if os.path.exists(INSTALL_MD) else []


@pytest.mark.parametrize("block", NEEDS_BLOCKS, ids=[f"line{b['line']}" for b in NEEDS_BLOCKS])
def test_install_md_controller_blocks_run_once_the_controller_has_the_command(block, tmp_path):
    command = block["marker"].split()[-1]
    binary, commands = controller_commands()
    if command not in commands:
        pytest.skip(f"{binary} has no `{command}` command yet (issue 8 items 1-3)")
    work = tmp_path / "work"
    work.mkdir()
    doc_workdir(work)
    env = {**os.environ, "HOME": str(tmp_path), "PATH": f"{os.path.dirname(binary)}:{os.environ['PATH']}"}
    before = set(os.listdir(work))
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", block["body"]], cwd=work, capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, f"docs/install.md line {block['line']}:\n{block['body']}\n{result.stderr[-3000:]}"
    # What the block wrote (e.g. the injected manifests) must be valid objects too.
    objects = {}
    for name in sorted(set(os.listdir(work)) - before):
        if name.endswith((".yaml", ".yml", ".json")):
            for index, doc in enumerate(load_documents(str(work / name))):
                objects[f"{name}[{index}] {describe(doc)}"] = doc
    if objects:
        assert_valid(objects)


def _claimed(text, name):
    """The value the page says a header or variable has: `name: value` or `name=value` in code."""
    found = set(re.findall(rf"`{re.escape(name)}[:=] ?([^`]+)`", text))
    assert len(found) == 1, f"docs/install.md names {name} as {found or 'nothing'}"
    return found.pop()


def test_install_md_first_request_answers_as_the_page_says(start, tmp_path):
    """The demo of "A first request through the sidecar", run here as far as no cluster is needed:
    demo.yaml rendered by the controller, served by the real sidecar with sluice-mock standing in
    for the mock Service, called with the page's own curl command (with -i, as it suggests). The
    headers and the base URL the page names are the ones that come out."""
    with open(INSTALL_MD, encoding="utf-8") as f:
        text = f.read()
    work = tmp_path / "work"
    work.mkdir()
    doc_workdir(work)
    controller = os.path.join(BIN_DIR, "sluice-controller")
    rendered = subprocess.run([controller, "render", "-f", "demo.yaml", "-o", "json"], cwd=work, capture_output=True,
                              text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    (configmap,) = json.loads(rendered.stdout)["items"]
    config = json.loads(configmap["data"]["config.json"])
    mock = start("sluice-mock", "--listen", "127.0.0.1:0")
    host, port = mock.address
    (backend,) = config["backends"]
    assert backend["baseURL"] == "http://sluice-mock.demo.svc.cluster.local:8080/v1"  # the demo's Service
    backend["baseURL"] = f"http://{host}:{port}/v1"
    config["listeners"] = {name: "127.0.0.1:0" for name in config["listeners"]}
    (tmp_path / "config").mkdir()
    (tmp_path / "secrets").mkdir()
    (tmp_path / "config/config.json").write_text(json.dumps(config))
    sidecar = start("sluice", "--config-dir", str(tmp_path / "config"), "--secrets-dir", str(tmp_path / "secrets"), listeners=3)
    app_host, app_port = sidecar.addresses["app"]

    (command,) = [m for b in sh_blocks() for m in re.findall(r"exec deployment/demo-app -c app -- sh -c '([^']*)'", b["body"])]
    result = subprocess.run(["sh", "-c", command.replace("curl -s ", "curl -si ", 1)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "OPENAI_BASE_URL": f"http://{app_host}:{app_port}/v1"})
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition("\n\n")  # text mode: CRLF reads as \n
    headers = dict(line.split(": ", 1) for line in head.split("\n")[1:])
    assert head.startswith("HTTP/1.1 200"), result.stdout
    assert json.loads(body)["choices"][0]["message"]["content"]
    for name in ("x-sluice-route", "x-sluice-backend"):
        assert headers.get(name) == _claimed(text, name), f"{name}: the page says {_claimed(text, name)!r}, the sidecar {headers.get(name)!r}"

    # The app container gets the base URL the page names, from the injector.
    injected = subprocess.run([controller, "inject", "-f", "app.yaml", "--gateways", "demo.yaml"], cwd=work, capture_output=True,
                              text=True, timeout=60)
    assert injected.returncode == 0, injected.stderr
    (deployment,) = load_documents_text(injected.stdout)
    (app,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in app["env"]}
    assert env["OPENAI_BASE_URL"] == _claimed(text, "OPENAI_BASE_URL")


def load_documents_text(text):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(text)
    try:
        return load_documents(f.name)
    finally:
        os.unlink(f.name)
