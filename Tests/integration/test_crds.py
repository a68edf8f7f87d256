"""The CRDs in deploy/crds/ and the examples in deploy/examples/.

Each CRD must be one an API server accepts (apiextensions.k8s.io/v1, structural schema) and one
`kubectl explain` can document (a description on every field). Each example resource must
validate against its CRD's schema, with unknown fields refused as `kubectl apply` (strict field
validation) refuses them, and name only objects its file defines. Deliberately broken resources
must fail, so these tests can fail.

The JSON Schema checks below cannot evaluate the CEL `x-kubernetes-validations` nor apply
defaults; the fake API server does both (crd_admission.py, with cel-python), so every example is
also created in it, with strict field validation, and every broken resource must be refused by it
with a 422 (or a 400 for an unknown field) at the field the JSON Schema check names.

YAML is read with PyYAML's SafeLoader. Like kubectl's parser it is YAML 1.1 (`on`, `yes`, `no`
are booleans), which is what we want to test against. The test virtualenv does not have it, so
when `import yaml` fails it runs Debian's python3 (python3-yaml, installed by `make deps`), or
the interpreter named by SLUICE_YAML_PYTHON.
"""
import copy
import functools
import glob
import json
import os
import re
import subprocess

import http.client
import sys

import jsonschema
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from crd_admission import CELRules, CustomResources, Schema  # noqa: E402
from fake_kube_api import FakeKubeAPI  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
CRD_DIR = os.path.join(ROOT, "deploy/crds")
EXAMPLES_DIR = os.path.join(ROOT, "deploy/examples")
GROUP = "sluice.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KINDS = ["LLMGateway", "LLMBackend", "LLMRoute", "LLMConsumer", "LLMGuardPolicy"]
PLURALS = {"LLMGateway": "llmgateways", "LLMBackend": "llmbackends", "LLMRoute": "llmroutes",
           "LLMConsumer": "llmconsumers", "LLMGuardPolicy": "llmguardpolicies"}
SCENARIOS = ["gray-release", "self-hosted-fallback", "warmup", "consumers", "guard"]
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"
# Words a YAML 1.1 parser (kubectl's) reads as booleans when plain: never a field name.
YAML11_BOOLEAN_WORDS = {"y", "yes", "n", "no", "on", "off", "true", "false"}

_YAML_TO_JSON = (
    "import json, sys, yaml\n"
    "try:\n"
    "    with open(sys.argv[1], encoding='utf-8') as f:\n"
    "        docs = [d for d in yaml.safe_load_all(f) if d is not None]\n"
    "except yaml.YAMLError as e:\n"
    "    sys.exit(str(e))\n"
    "json.dump(docs, sys.stdout, default=str)\n"
)


@functools.lru_cache(maxsize=None)
def _load_json(path):
    """Every non-empty YAML document of `path`, as JSON text (so callers get fresh copies)."""
    try:
        import yaml  # noqa: F401  (only if someone put PyYAML in the virtualenv)
    except ImportError:
        python = os.environ.get("SLUICE_YAML_PYTHON", "/usr/bin/python3")
        try:
            result = subprocess.run([python, "-c", _YAML_TO_JSON, path], capture_output=True, text=True, timeout=60)
        except FileNotFoundError:
            pytest.fail(f"{python} not found: install Debian's python3-yaml (make deps) or set SLUICE_YAML_PYTHON")
        if result.returncode != 0:
            pytest.fail(f"could not read {path} as YAML with {python} (is python3-yaml installed? make deps): "
                        f"{result.stderr.strip()[-2000:]}")
        return result.stdout
    import yaml
    with open(path, encoding="utf-8") as f:
        return json.dumps([d for d in yaml.safe_load_all(f) if d is not None], default=str)


def load_documents(path):
    return json.loads(_load_json(path))


def crd_files():
    return sorted(glob.glob(os.path.join(CRD_DIR, "*.yaml")))


def example_files():
    return sorted(glob.glob(os.path.join(EXAMPLES_DIR, "*.yaml")))


@functools.lru_cache(maxsize=None)
def _crds_json():
    crds = {}
    for path in crd_files():
        docs = load_documents(path)
        assert len(docs) == 1, f"{path}: expected one CRD per file, found {len(docs)} documents"
        crds[docs[0]["spec"]["names"]["kind"]] = docs[0]
    return json.dumps(crds)


def crds():
    """kind → CRD document."""
    return json.loads(_crds_json())


def raw_schema(kind):
    return crds()[kind]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def walk(schema, path="$"):
    """Yields (json path, schema node) for every node of an OpenAPI v3 schema."""
    yield path, schema
    for name, child in schema.get("properties", {}).items():
        yield from walk(child, f"{path}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from walk(schema["additionalProperties"], f"{path}.*")
    if "items" in schema:
        yield from walk(schema["items"], f"{path}[]")
    for keyword in ("anyOf", "allOf", "oneOf"):
        for index, branch in enumerate(schema.get(keyword, [])):
            yield from walk(branch, f"{path}.{keyword}[{index}]")
    if "not" in schema:
        yield from walk(schema["not"], f"{path}.not")


def json_schema(kind):
    """The CRD's schema as a JSON Schema that behaves like the API server with strict field
    validation: x-kubernetes-* extensions removed, unknown fields refused."""
    def convert(node):
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key.startswith("x-kubernetes-"):
                continue
            if key in ("properties",):
                out[key] = {name: convert(child) for name, child in value.items()}
            elif key in ("default", "enum", "example"):
                out[key] = value
            else:
                out[key] = convert(value)
        if "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        if out.get("exclusiveMinimum") is True:
            # OpenAPI 3.0's boolean form; JSON Schema 2020-12 writes the bound itself.
            out["exclusiveMinimum"] = out.pop("minimum")
        return out
    return convert(raw_schema(kind))


def schema_errors(kind, resource):
    validator = jsonschema.Draft202012Validator(json_schema(kind))
    return sorted(validator.iter_errors(resource), key=lambda e: list(e.absolute_path))


def error_paths(errors):
    return ["$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path) for e in errors]


# ---------------------------------------------------------------------------------------------
# The CRDs themselves


def test_there_is_one_crd_file_per_kind():
    assert sorted(crds()) == sorted(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_crd_is_an_apiextensions_v1_crd_of_the_sluice_group(kind):
    crd = crds()[kind]
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    assert crd["kind"] == "CustomResourceDefinition"
    spec = crd["spec"]
    names = spec["names"]
    assert crd["metadata"]["name"] == f"{names['plural']}.{GROUP}"
    assert spec["group"] == GROUP
    assert spec["scope"] == "Namespaced"
    assert names["kind"] == kind
    assert names["listKind"] == f"{kind}List"
    assert names["singular"] == kind.lower()
    assert names["plural"] == PLURALS[kind]
    assert names["shortNames"] and all(re.fullmatch(r"[a-z0-9]+", s) for s in names["shortNames"])
    assert "sluice" in names["categories"]
    versions = spec["versions"]
    assert [v["name"] for v in versions] == [VERSION]
    assert versions[0]["served"] is True and versions[0]["storage"] is True
    assert versions[0]["subresources"] == {"status": {}}


def test_short_names_and_plurals_are_unique():
    names = [n for crd in crds().values() for n in crd["spec"]["names"]["shortNames"] + [crd["spec"]["names"]["plural"]]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("kind", KINDS)
def test_printer_columns_show_conditions_and_age(kind):
    columns = crds()[kind]["spec"]["versions"][0]["additionalPrinterColumns"]
    by_name = {c["name"]: c for c in columns}
    assert len(by_name) == len(columns), "duplicate column names"
    for column in columns:
        assert column["type"] in {"integer", "number", "string", "boolean", "date"}, column
        assert column["jsonPath"].startswith("."), column
        if column["name"] != "Age":
            assert column.get("description"), f"column {column['name']} has no description"
    assert by_name["Age"] == {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
    assert by_name["Accepted"]["jsonPath"] == '.status.conditions[?(@.type=="Accepted")].status'
    # Every column reads a field the schema has (spec.x.y or status.x; conditions are filtered).
    schema = raw_schema(kind)
    for column in columns:
        path = column["jsonPath"]
        if path.startswith(".metadata") or path.startswith(".status.conditions"):
            continue
        node = schema
        for part in re.sub(r"\[\*\]", "", path).strip(".").split("."):
            node = node.get("items", node)
            assert part in node.get("properties", {}), f"column {column['name']}: {path} is not in the schema"
            node = node["properties"][part]


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_structural(kind):
    schema = raw_schema(kind)
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"apiVersion", "kind", "metadata", "spec", "status"}
    assert schema["properties"]["metadata"] == {"type": "object", "description": "Standard object metadata."}
    for path, node in walk(schema):
        in_junctor = re.search(r"\.(anyOf|allOf|oneOf|not)", path)
        if in_junctor:
            # Structural: inside anyOf/allOf/oneOf/not only value validations, except the
            # int-or-string idiom.
            assert set(node) <= {"type"} and node.get("type") in ("integer", "string"), f"{path}: {node}"
            continue
        if node.get("x-kubernetes-int-or-string"):
            assert "type" not in node, path
            assert node.get("anyOf") == [{"type": "integer"}, {"type": "string"}], path
        else:
            assert node.get("type") in {"object", "array", "string", "integer", "number", "boolean"}, f"{path} has no type"
        assert not ("properties" in node and "additionalProperties" in node), f"{path}: properties and additionalProperties"
        assert "$ref" not in node and "nullable" not in node and "uniqueItems" not in node, path
        if node.get("type") == "array":
            assert "items" in node, f"{path}: array without items"
            assert "maxItems" in node, f"{path}: unbounded list (CEL cost and etcd size need maxItems)"
        if node.get("type") == "object" and "additionalProperties" in node:
            assert "maxProperties" in node, f"{path}: unbounded map"
        if "x-kubernetes-list-type" in node:
            assert node["x-kubernetes-list-type"] in {"atomic", "set", "map"}, path
            if node["x-kubernetes-list-type"] == "map":
                keys = node["x-kubernetes-list-map-keys"]
                assert all(k in node["items"].get("required", []) for k in keys), f"{path}: list map keys must be required"


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_has_a_description(kind):
    missing = []
    for path, node in walk(raw_schema(kind)):
        if re.search(r"\.(anyOf|allOf|oneOf|not)", path) or path == "$":
            continue
        if not node.get("description", "").strip():
            missing.append(path)
    assert not missing, f"fields without a description (kubectl explain shows nothing): {missing}"


@pytest.mark.parametrize("kind", KINDS)
def test_required_fields_exist_and_defaults_validate(kind):
    for path, node in walk(raw_schema(kind)):
        for name in node.get("required", []):
            assert name in node.get("properties", {}), f"{path}: required {name} is not a property"
        if "default" in node:
            sub = json_schema_node(kind, path)
            errors = list(jsonschema.Draft202012Validator(sub).iter_errors(node["default"]))
            assert not errors, f"{path}: default {node['default']!r} is invalid: {errors[0].message}"
            assert path.split(".")[-1] not in node.get("required", [])
        if "enum" in node:
            assert len(node["enum"]) == len(set(map(json.dumps, node["enum"]))), path
            assert all(isinstance(v, str) for v in node["enum"]), f"{path}: enum values must be strings (quote True/False)"


def json_schema_node(kind, wanted):
    """The converted (JSON Schema) node at `wanted`, a path from walk()."""
    converted = dict(walk(json_schema(kind)))
    return converted[wanted]


@pytest.mark.parametrize("kind", KINDS)
def test_durations_use_the_one_pattern(kind):
    for path, node in walk(raw_schema(kind)):
        pattern = node.get("pattern", "")
        if "ms|" in pattern or path.rsplit(".", 1)[-1] in {"connect", "firstByte", "idle", "total", "request", "maxWait",
                                                           "window", "cooldown", "maxCooldown", "idleAfter", "interval",
                                                           "ttl", "base", "max", "p95Above", "maxDelay", "budgetWindow"}:
            assert node.get("type") == "string" and pattern == DURATION_PATTERN, f"{path}: {node}"
            assert node.get("maxLength", 10**9) <= 64, f"{path}: duration without maxLength"


def test_duration_pattern_accepts_and_refuses_what_the_sidecar_does():
    for good in ["250ms", "2s", "1h", "1m30s", "1.5s", "10ns", "3us", "0s"]:
        assert re.fullmatch(DURATION_PATTERN, good), good
    for bad in ["", "30", "1 m", "-1s", "1d", "s", "1.s", ".5s", "1m 30s", "1S", "1µs"]:
        assert not re.fullmatch(DURATION_PATTERN, bad), bad


@pytest.mark.parametrize("kind", KINDS)
def test_no_field_is_named_with_a_yaml11_boolean_word(kind):
    for path, node in walk(raw_schema(kind)):
        for name in node.get("properties", {}):
            assert name.lower() not in YAML11_BOOLEAN_WORDS, f"{path}.{name}: kubectl would read this key as a boolean"


@pytest.mark.parametrize("kind", KINDS)
def test_cel_rules_have_messages_and_name_existing_fields(kind):
    rules = 0
    for path, node in walk(raw_schema(kind)):
        for validation in node.get("x-kubernetes-validations", []):
            rules += 1
            rule = validation["rule"]
            assert validation.get("message"), f"{path}: rule {rule!r} has no message"
            assert rule.count("(") == rule.count(")") and rule.count("[") == rule.count("]"), f"{path}: {rule}"
            if node.get("type") == "object":
                for field in re.findall(r"\bself\.([A-Za-z_]\w*)\b(?!\s*\()", rule):
                    assert field in node.get("properties", {}), f"{path}: rule names self.{field}, not a field here"
                for field in re.findall(r"duration\(self\.([A-Za-z_]\w*)\)", rule):
                    assert node["properties"][field].get("pattern") == DURATION_PATTERN, f"{path}: duration({field})"
            elif node.get("type") == "array":
                assert re.search(r"\bself\.(all|exists|exists_one|map|filter)\(|\bsize\(self\)", rule), f"{path}: {rule}"
    assert rules > 0, "every kind has at least one CEL rule"


@pytest.mark.parametrize("kind", KINDS)
def test_status_has_observed_generation_and_standard_conditions(kind):
    status = raw_schema(kind)["properties"]["status"]
    assert status["properties"]["observedGeneration"]["type"] == "integer"
    conditions = status["properties"]["conditions"]
    assert conditions["type"] == "array"
    assert conditions["x-kubernetes-list-type"] == "map"
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]
    item = conditions["items"]
    assert set(item["required"]) == {"type", "status", "reason", "message", "lastTransitionTime"}
    assert set(item["properties"]) == {"type", "status", "reason", "message", "lastTransitionTime", "observedGeneration"}
    assert item["properties"]["status"]["enum"] == ["True", "False", "Unknown"]
    assert item["properties"]["lastTransitionTime"]["format"] == "date-time"
    assert item["properties"]["observedGeneration"]["type"] == "integer"
    good = {"type": "ResolvedRefs", "status": "False", "reason": "BackendNotFound",
            "message": 'LLMBackend "deepseek" not found', "lastTransitionTime": "2026-01-01T00:00:00Z",
            "observedGeneration": 3}
    sub = json_schema(kind)["properties"]["status"]
    assert not list(jsonschema.Draft202012Validator(sub).iter_errors({"observedGeneration": 3, "conditions": [good]}))
    bad = dict(good, status="false")
    assert list(jsonschema.Draft202012Validator(sub).iter_errors({"conditions": [bad]}))


def spec_field_paths(node, path):
    """Field paths as docs/crds.md writes them: spec.rules[].fallback.chain[].model, spec.prices.<model>.input."""
    yield path
    if node.get("type") == "object":
        for name, child in node.get("properties", {}).items():
            yield from spec_field_paths(child, f"{path}.{name}")
        if isinstance(node.get("additionalProperties"), dict) and node["additionalProperties"].get("type") == "object":
            for name, child in node["additionalProperties"].get("properties", {}).items():
                yield from spec_field_paths(child, f"{path}.<model>.{name}")
    if node.get("type") == "array" and node["items"].get("type") == "object":
        for name, child in node["items"].get("properties", {}).items():
            yield from spec_field_paths(child, f"{path}[].{name}")


@pytest.mark.parametrize("kind", KINDS)
def test_docs_describe_every_spec_field(kind):
    with open(os.path.join(ROOT, "docs/crds.md"), encoding="utf-8") as f:
        docs = f.read()
    section = docs.split(f"\n## {kind}\n", 1)[1].split("\n## ", 1)[0]
    missing = [p for p in spec_field_paths(raw_schema(kind)["properties"]["spec"], "spec") if f"`{p}`" not in section]
    assert not missing, f"docs/crds.md, section {kind}, does not describe: {missing}"


# ---------------------------------------------------------------------------------------------
# The examples


def example_documents():
    for path in example_files():
        for index, doc in enumerate(load_documents(path)):
            yield pytest.param(path, index, doc, id=f"{os.path.basename(path)}[{index}]:{doc.get('kind')}/{doc.get('metadata', {}).get('name')}")


def test_every_seed_scenario_has_an_example():
    names = sorted(os.path.splitext(os.path.basename(p))[0] for p in example_files())
    assert sorted(SCENARIOS) == names


@pytest.mark.parametrize("path,index,doc", list(example_documents()))
def test_example_resource_validates_against_its_crd(path, index, doc):
    kind = doc.get("kind")
    if doc.get("apiVersion") == "v1" and kind == "Secret":
        assert doc.get("type", "Opaque") == "Opaque"
        assert "data" not in doc, "examples use stringData so the dummy values are readable"
        assert doc["stringData"] and all(isinstance(v, str) for v in doc["stringData"].values())
        assert all(re.fullmatch(r"[-._a-zA-Z0-9]+", k) for k in doc["stringData"])
        return
    assert doc.get("apiVersion") == API_VERSION, f"unexpected apiVersion {doc.get('apiVersion')}"
    assert kind in KINDS, f"no CRD for kind {kind}"
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])
    assert "namespace" not in doc["metadata"], "examples are applied with -n NAMESPACE"
    assert "status" not in doc
    errors = schema_errors(kind, doc)
    assert not errors, "\n".join(f"{p}: {e.message}" for p, e in zip(error_paths(errors), errors))


@pytest.mark.parametrize("path", example_files(), ids=os.path.basename)
def test_example_references_resolve_within_the_file(path):
    """What the controller reports as ResolvedRefs=False, checked on each example file."""
    objects = {}
    for doc in load_documents(path):
        objects.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    secrets = objects.get("Secret", {})
    gateways = objects.get("LLMGateway", {})
    backends = objects.get("LLMBackend", {})
    policies = objects.get("LLMGuardPolicy", {})
    assert gateways, "each example is complete: it defines its gateway"

    def secret_key(ref, default_key, where):
        assert ref["name"] in secrets, f"{where}: Secret {ref['name']} is not in the file"
        key = ref.get("key", default_key)
        if key is not None:
            assert key in secrets[ref["name"]]["stringData"], f"{where}: Secret {ref['name']} has no key {key}"

    for name, gateway in gateways.items():
        if "redis" in gateway["spec"] and "secretRef" in gateway["spec"]["redis"]:
            secret_key(gateway["spec"]["redis"]["secretRef"], "password", f"LLMGateway {name}")
    for name, backend in backends.items():
        if "credentials" in backend["spec"]:
            secret_key(backend["spec"]["credentials"]["secretRef"], "api-key", f"LLMBackend {name}")
        if "caSecretRef" in backend["spec"].get("tls", {}):
            secret_key(backend["spec"]["tls"]["caSecretRef"], "ca.crt", f"LLMBackend {name}")
    used_backends = set()
    for name, route in objects.get("LLMRoute", {}).items():
        for ref in route["spec"]["parentRefs"]:
            assert ref["name"] in gateways, f"LLMRoute {name}: no LLMGateway {ref['name']}"
        for rule in route["spec"]["rules"]:
            refs = [b["name"] for b in rule["backendRefs"]]
            refs += [e["backendRef"]["name"] for e in rule.get("fallback", {}).get("chain", [])]
            for ref in refs:
                assert ref in backends, f"LLMRoute {name}: no LLMBackend {ref}"
            used_backends.update(refs)
            if "guardPolicyRef" in rule:
                assert rule["guardPolicyRef"]["name"] in policies, f"LLMRoute {name}: no LLMGuardPolicy"
    assert used_backends == set(backends), f"backends no route uses: {set(backends) - used_backends}"
    for name, consumer in objects.get("LLMConsumer", {}).items():
        for ref in consumer["spec"]["parentRefs"]:
            assert ref["name"] in gateways, f"LLMConsumer {name}: no LLMGateway {ref['name']}"
        secret_key(consumer["spec"]["credentials"]["secretRef"], None, f"LLMConsumer {name}")
    used_secrets = {d["metadata"]["name"] for k, d in _all(objects) if k == "Secret"}
    referenced = set(re.findall(r'"secretRef": \{[^}]*"name": "([^"]+)"', json.dumps(objects)))
    referenced |= set(re.findall(r'"caSecretRef": \{[^}]*"name": "([^"]+)"', json.dumps(objects)))
    assert used_secrets == referenced, f"Secrets nothing references: {used_secrets - referenced}"


def _all(objects):
    for kind, by_name in objects.items():
        for doc in by_name.values():
            yield kind, doc


def _docs(name, kind):
    return [d for d in load_documents(os.path.join(EXAMPLES_DIR, f"{name}.yaml")) if d["kind"] == kind]


def test_gray_release_example_splits_90_10_sticky_on_user_id():
    (route,) = _docs("gray-release", "LLMRoute")
    rule = route["spec"]["rules"][0]
    providers = {b["metadata"]["name"]: b["spec"]["provider"] for b in _docs("gray-release", "LLMBackend")}
    assert [(providers[b["name"]], b["weight"]) for b in rule["backendRefs"]] == [("openai", 90), ("deepseek", 10)]
    assert rule["sticky"] == {"header": "x-user-id"}


def test_self_hosted_fallback_example_chains_r1_distill_qwen_on_errors_and_429():
    (route,) = _docs("self-hosted-fallback", "LLMRoute")
    backends = {b["metadata"]["name"]: b["spec"] for b in _docs("self-hosted-fallback", "LLMBackend")}
    rule = route["spec"]["rules"][0]
    (primary,) = rule["backendRefs"]
    assert backends[primary["name"]]["provider"] == "vllm" and primary["model"] == "deepseek-r1"
    assert backends[primary["name"]]["maxConcurrentRequests"] >= 1 and backends[primary["name"]]["queue"]["size"] >= 1
    chain = [(backends[e["backendRef"]["name"]]["provider"], e["model"]) for e in rule["fallback"]["chain"]]
    assert chain == [("vllm", "deepseek-r1-distill-qwen-32b"), ("dashscope", "qwen-max")]
    statuses = rule["fallback"]["triggers"]["statuses"]
    assert 429 in statuses and "5xx" in statuses


def test_warmup_example_pings_an_idle_backend():
    warm = [b for b in _docs("warmup", "LLMBackend") if "warmup" in b["spec"]]
    assert warm
    for backend in warm:
        assert ("model" in backend["spec"]["warmup"]) != ("path" in backend["spec"]["warmup"])


def test_consumers_example_has_two_teams_with_different_rights():
    consumers = _docs("consumers", "LLMConsumer")
    assert len(consumers) == 2
    assert consumers[0]["spec"]["allowedModels"] != consumers[1]["spec"]["allowedModels"]
    assert all("rateLimits" in c["spec"] and "quotas" in c["spec"] for c in consumers)


# ---------------------------------------------------------------------------------------------
# Broken resources must be refused: these prove the validation above can fail.


def _example(kind, name=None):
    for path in example_files():
        for doc in load_documents(path):
            if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name):
                return copy.deepcopy(doc)
    raise AssertionError(f"no example {kind} {name}")


def _set(doc, dotted, value):
    node = doc
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    last = parts[-1]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


_DELETE = object()

BROKEN = [
    # (kind, field to change, new value, where the error must be reported)
    ("LLMBackend", "spec.provider", "gpt", "$.spec.provider"),                                  # bad enum
    ("LLMBackend", "spec.credentials.header", "Authorization", "$.spec.credentials.header"),   # enum is case-sensitive
    ("LLMBackend", "spec.timeouts", {"firstByte": "30"}, "$.spec.timeouts.firstByte"),           # duration without unit
    ("LLMBackend", "spec.timeouts", {"connect": "1 m"}, "$.spec.timeouts.connect"),              # duration with a space
    ("LLMBackend", "spec.url", "api.openai.com/v1", "$.spec.url"),                               # no scheme
    ("LLMBackend", "spec.url", _DELETE, "$.spec"),                                               # required
    ("LLMBackend", "spec.maxConcurrentRequests", "8", "$.spec.maxConcurrentRequests"),           # wrong type
    ("LLMBackend", "spec.maxConcurrentRequests", 0, "$.spec.maxConcurrentRequests"),             # minimum
    ("LLMBackend", "spec.circuitBreaker", {"errorRatePercent": 150}, "$.spec.circuitBreaker.errorRatePercent"),
    ("LLMBackend", "spec.prices", {"gpt-4o": {"input": 2.5, "output": 10, "currency": "usd"}}, "$.spec.prices.gpt-4o.currency"),
    ("LLMBackend", "spec.prices", {"gpt-4o": {"input": 2.5}}, "$.spec.prices.gpt-4o"),           # output required
    ("LLMBackend", "spec.modelMap", {"a": "b"}, "$.spec"),                                       # unknown field (strict)
    ("LLMRoute", "spec.rules.0.backendRefs.0.weight", "90", "$.spec.rules[0].backendRefs[0].weight"),
    ("LLMRoute", "spec.rules.0.backendRefs.0.weight", -1, "$.spec.rules[0].backendRefs[0].weight"),
    ("LLMRoute", "spec.rules.0.backendRefs", [], "$.spec.rules[0].backendRefs"),                # minItems
    ("LLMRoute", "spec.rules.0.matches", [{"model": {"exact": "a", "glob": "a*"}}], "$.spec.rules[0].matches[0].model"),
    ("LLMRoute", "spec.rules.0.matches", [{"model": {}}], "$.spec.rules[0].matches[0].model"),
    ("LLMRoute", "spec.rules.0.matches", [{"path": "v1/chat/completions"}], "$.spec.rules[0].matches[0].path"),
    ("LLMRoute", "spec.rules.0.sticky", {"header": "x user"}, "$.spec.rules[0].sticky.header"),
    ("LLMRoute", "spec.rules.0.fallback", {"chain": [{"backendRef": {"name": "x"}}], "triggers": {"statuses": [99]}},
     "$.spec.rules[0].fallback.triggers.statuses[0]"),
    ("LLMRoute", "spec.rules.0.fallback", {"chain": [{"backendRef": {"name": "x"}}], "triggers": {"statuses": ["5XX"]}},
     "$.spec.rules[0].fallback.triggers.statuses[0]"),
    ("LLMRoute", "spec.rules.0.fallback", {"chain": [{"backendRef": "x"}]}, "$.spec.rules[0].fallback.chain[0].backendRef"),
    ("LLMRoute", "spec.rules.0.retry", {"honorRetryAfter": "yes"}, "$.spec.rules[0].retry.honorRetryAfter"),
    ("LLMRoute", "spec.rules.0.cache", {"ttl": "5 minutes"}, "$.spec.rules[0].cache.ttl"),
    ("LLMRoute", "spec.parentRefs", [], "$.spec.parentRefs"),
    ("LLMGateway", "spec.listeners", {"app": 70000}, "$.spec.listeners.app"),
    ("LLMGateway", "spec.accessLog", {"sampleRate": 2}, "$.spec.accessLog.sampleRate"),
    ("LLMGateway", "spec.podSelector", {"matchExpressions": [{"key": "app", "operator": "Equals"}]},
     "$.spec.podSelector.matchExpressions[0].operator"),
    ("LLMConsumer", "spec.rateLimits", {"requestsPerMinute": 0}, "$.spec.rateLimits.requestsPerMinute"),
    ("LLMConsumer", "spec.credentials", {"secretRef": {"name": "Team_Keys"}}, "$.spec.credentials.secretRef.name"),
    ("LLMGuardPolicy", "spec.rules.0.action", "deny", "$.spec.rules[0].action"),
    ("LLMGuardPolicy", "spec.rules.0.phase", "prompt", "$.spec.rules[0].phase"),
    ("LLMGuardPolicy", "spec.blockedResponse", {"mode": "refusal"}, "$.spec.blockedResponse.mode"),
]


@pytest.mark.parametrize("kind,field,value,where", BROKEN, ids=[f"{k}:{f}={v!r}"[:80] for k, f, v, _ in BROKEN])
def test_broken_resource_is_refused_where_it_is_broken(kind, field, value, where):
    doc = _example(kind)
    assert not schema_errors(kind, doc), "the starting example must be valid"
    _set(doc, field, value)
    errors = schema_errors(kind, doc)
    assert errors, f"{kind} with {field}={value!r} was accepted"
    assert where in error_paths(errors), f"errors at {error_paths(errors)}, expected one at {where}"


def test_guard_rule_written_with_on_is_refused_as_kubectl_would_read_it(tmp_path):
    """`on: response` in YAML 1.1 (kubectl) is the key true: a strict schema must refuse it,
    which is why the field is called phase."""
    path = tmp_path / "on.yaml"
    path.write_text(
        "apiVersion: sluice.dev/v1alpha1\nkind: LLMGuardPolicy\nmetadata: {name: p}\n"
        "spec:\n  rules:\n  - name: r\n    on: response\n    match: {keywords: [x]}\n    action: log\n")
    (doc,) = load_documents(str(path))
    assert "true" in doc["spec"]["rules"][0] or True in doc["spec"]["rules"][0]
    assert schema_errors("LLMGuardPolicy", doc)


# ---------------------------------------------------------------------------------------------
# CEL rules, evaluated with cel-python the way the fake API server evaluates them (after the
# defaults are applied). cel-python is not the API server's cel-go: it checks that rules compile
# and mean what we intend, not their cost budget.


def cel_failures(kind, resource):
    """"$.path: message" of every CEL rule the resource breaks."""
    schema = CustomResources(CRD_DIR).by_kind(API_VERSION, kind)
    resource = copy.deepcopy(resource)
    schema.default(resource)
    errors = CELRules.check(schema.root, Schema.cel_view(resource), None, "")
    return [f"{'$' if e.field == '<nil>' else '$.' + e.field}: {e.detail}" for e in errors]


@pytest.mark.parametrize("path,index,doc", [p for p in example_documents() if p.values[2]["kind"] in KINDS])
def test_example_resource_satisfies_the_cel_rules(path, index, doc):
    assert cel_failures(doc["kind"], doc) == []


CEL_BROKEN = [
    # (kind, example name, field to change, new value, "path: start of the message" of the rule that must fire)
    ("LLMRoute", "gpt-4o-gray-release", "spec.rules.0.matches.0.headers", [{"name": "x", "exact": "a", "present": True}],
     "$.spec.rules[0].matches[0].headers[0]: set exactly one of exact, regex or present"),
    ("LLMRoute", "gpt-4o-gray-release", "spec.rules.0.backendRefs.0.weight", 0, None),  # then both are 0, below
    ("LLMRoute", "dev-tools", "spec.rules.1.name", "chat", "$.spec.rules: rule names must be unique"),
    # "gpt-4o-gray-release" + "." + 44 characters is 64: too long for the proxy config's route name.
    ("LLMRoute", "gpt-4o-gray-release", "spec.rules.0.name", "r" * 44, "$: an LLMRoute's name, \".\", a rule's name"),
    ("LLMRoute", "deepseek-r1", "spec.rules.0.fallback.triggers.statuses", [600], "$.spec.rules[0].fallback.triggers.statuses[0]: expected a status code"),
    ("LLMRoute", "deepseek-r1", "spec.rules.0.fallback.triggers.statuses", ["3xx"], "$.spec.rules[0].fallback.triggers.statuses[0]: expected a status code"),
    ("LLMRoute", "deepseek-r1", "spec.rules.0.retry.backoff", {"base": "2s", "max": "500ms"}, "$.spec.rules[0].retry.backoff: backoff.max must not"),
    ("LLMBackend", "coder", "spec.warmup.model", "qwen2.5-coder", "$.spec.warmup: set exactly one of model"),
    ("LLMBackend", "coder", "spec.warmup.path", _DELETE, "$.spec.warmup: set exactly one of model"),
    ("LLMBackend", "ollama", "spec.warmup.idleAfter", "1m30s", "$.spec.warmup: idleAfter must not be shorter"),
    ("LLMBackend", "coder", "spec.warmup.prompt", "hi", "$.spec.warmup: prompt and maxTokens apply"),
    ("LLMBackend", "coder", "spec.queue", {"size": 1}, "$.spec: a queue needs maxConcurrentRequests"),
    ("LLMBackend", "coder", "spec.tls", {"insecureSkipVerify": True}, "$.spec: tls settings need an https"),
    ("LLMBackend", "openai", "spec.tls", {"insecureSkipVerify": True, "caSecretRef": {"name": "ca"}}, "$.spec.tls: caSecretRef and insecureSkipVerify"),
    ("LLMBackend", "deepseek-r1-vllm", "spec.circuitBreaker.cooldown", "10m", "$.spec.circuitBreaker: maxCooldown must not"),
    ("LLMBackend", "openai", "metadata.name", "a" * 64, "$: an LLMBackend's name is at most 63"),
    ("LLMGateway", "dev-tools", "spec.listeners.admin", 4000, "$.spec.listeners: app, admin and metrics must be three different"),
    ("LLMGateway", "chat", "spec.podSelector", {"matchLabels": {}}, "$.spec.podSelector: podSelector must set"),
    ("LLMGateway", "dev-tools", "spec.podSelector.matchExpressions.0.values", _DELETE, "$.spec.podSelector.matchExpressions[0]: In and NotIn need values"),
    ("LLMGateway", "dev-tools", "spec.podSelector.matchExpressions.0.operator", "Exists", "$.spec.podSelector.matchExpressions[0]: In and NotIn need values"),
    ("LLMGuardPolicy", "customer-facing", "spec.rules.3.match", {"keywords": []}, "$.spec.rules[3].match: set at least one keyword"),
    ("LLMGuardPolicy", "customer-facing", "spec.rules.3.message", "x", "$.spec.rules[3]: message applies to the block"),
    ("LLMGuardPolicy", "customer-facing", "spec.blockedResponse.statusCode", 403, "$.spec.blockedResponse: statusCode applies to mode error"),
]


def test_the_longest_config_route_name_the_cel_rule_accepts_is_63_characters():
    doc = _example("LLMRoute", "gpt-4o-gray-release")
    _set(doc, "spec.rules.0.name", "r" * 43)
    assert cel_failures("LLMRoute", doc) == []


@pytest.mark.parametrize("kind,name,field,value,where", CEL_BROKEN, ids=[f"{k}/{n}:{f}"[:80] for k, n, f, _, _ in CEL_BROKEN])
def test_cel_rule_refuses_broken_resource(kind, name, field, value, where):
    doc = _example(kind, name)
    assert cel_failures(kind, doc) == [], "the starting example must pass"
    _set(doc, field, value)
    if where is None:  # all weights zero
        _set(doc, "spec.rules.0.backendRefs.1.weight", 0)
        where = "$.spec.rules[0].backendRefs: at least one backendRef needs a weight"
    failures = cel_failures(kind, doc)
    assert any(f.startswith(where) for f in failures), f"rules fired: {failures}, expected {where}..."


# ---------------------------------------------------------------------------------------------
# The same resources against the fake API server, which enforces the CRDs as a cluster does:
# schema, defaults, unknown fields (strict field validation, as `kubectl apply` asks) and CEL.


def api_server_answers(docs, server):
    """Creates each Sluice resource or Secret of `docs` in `server` with fieldValidation=Strict,
    then deletes it again; yields (doc, status, body)."""
    for doc in docs:
        namespace = doc.get("metadata", {}).get("namespace", "default")
        if doc.get("apiVersion") == "v1":
            path = f"/api/v1/namespaces/{namespace}/{doc['kind'].lower()}s"
        else:
            path = f"/apis/{doc['apiVersion']}/namespaces/{namespace}/{PLURALS.get(doc['kind'], doc['kind'].lower())}"
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("POST", path + "?fieldValidation=Strict", body=json.dumps(doc), headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        body = json.loads(response.read() or b"null")
        if response.status == 201:
            conn.request("DELETE", f"{path}/{body['metadata']['name']}")
            conn.getresponse().read()
        conn.close()
        yield doc, response.status, body


def api_server_errors(docs_by_id):
    """id → [error messages] for Sluice resources, from a fresh fake API server (for test_deploy)."""
    server = FakeKubeAPI(port=0).start()
    try:
        ids = list(docs_by_id)
        answers = api_server_answers([docs_by_id[i] for i in ids], server)
        return {i: ([] if status == 201 else [body["message"]]) for i, (_, status, body) in zip(ids, answers)}
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api_server():
    server = FakeKubeAPI(port=0).start()
    yield server
    server.stop()


@pytest.mark.parametrize("path", example_files(), ids=os.path.basename)
def test_example_is_created_by_the_stricter_api_server(path, api_server):
    for doc, status, body in api_server_answers(load_documents(path), api_server):
        assert status == 201, f"{doc['kind']} {doc['metadata']['name']}: {body['message']}"


def _field(where):
    """`$.spec.rules[0].x` (this file's paths) → `spec.rules[0].x` (the API's); `$` → `<nil>`."""
    return "<nil>" if where == "$" else where[2:]


@pytest.mark.parametrize("kind,field,value,where", BROKEN, ids=[f"{k}:{f}={v!r}"[:80] for k, f, v, _ in BROKEN])
def test_broken_resource_is_refused_by_the_stricter_api_server(kind, field, value, where, api_server):
    doc = _example(kind)
    _set(doc, field, value)
    ((_, status, body),) = api_server_answers([doc], api_server)
    if status == 400:  # an unknown field, refused by strict field validation
        assert 'strict decoding error: unknown field "' + _field(where) in body["message"], body["message"]
        return
    assert status == 422 and body["reason"] == "Invalid", body
    fields = [c["field"] for c in body["details"]["causes"]]
    # Required fields are reported at the missing field, the JSON Schema check at its parent.
    assert any(f == _field(where) or f.startswith(_field(where) + ".") for f in fields), (where, fields)


@pytest.mark.parametrize("kind,name,field,value,where", CEL_BROKEN, ids=[f"{k}/{n}:{f}"[:80] for k, n, f, _, _ in CEL_BROKEN])
def test_cel_rule_is_enforced_by_the_stricter_api_server(kind, name, field, value, where, api_server):
    doc = _example(kind, name)
    _set(doc, field, value)
    if where is None:
        _set(doc, "spec.rules.0.backendRefs.1.weight", 0)
        where = "$.spec.rules[0].backendRefs: at least one backendRef needs a weight"
    ((_, status, body),) = api_server_answers([doc], api_server)
    assert status == 422, body
    path, message = where.split(": ", 1)
    assert any(c["field"] == _field(path) and message in c["message"] for c in body["details"]["causes"]), body["details"]
