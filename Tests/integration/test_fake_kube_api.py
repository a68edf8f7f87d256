"""The fake Kubernetes API server keeps the semantics the controller and KubeAPI rely on."""
import http.client
import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from fake_kube_api import FakeKubeAPI  # noqa: E402

CM = "/api/v1/namespaces/default/configmaps"
ROUTES = "/apis/sluice.dev/v1alpha1/namespaces/default/llmroutes"


@pytest.fixture
def api():
    server = FakeKubeAPI(port=0, bookmark_interval=0.2).start()
    yield server
    server.stop()


def call(api, method, path, body=None, content_type="application/json", token=None):
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else None


def configmap(name, **data):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def route(name, weight=1):
    """A valid LLMRoute (the fake enforces the CRD, as a cluster would)."""
    return {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMRoute", "metadata": {"name": name},
            "spec": {"parentRefs": [{"name": "main"}],
                     "rules": [{"name": "all", "backendRefs": [{"name": "openai", "weight": weight}]}]}}


def weight_of(obj):
    return obj["spec"]["rules"][0]["backendRefs"][0]["weight"]


def condition(type_="Accepted", status="True", **extra):
    return {"type": type_, "status": status, "reason": "Valid", "message": "ok",
            "lastTransitionTime": "2026-01-01T00:00:00Z", **extra}


class Watch:
    """A raw watch connection: reads chunked JSON lines; `closed` tells how it ended."""

    def __init__(self, api, path, query):
        self.conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
        self.conn.request("GET", f"{path}?watch=1&{query}")
        self.response = self.conn.getresponse()
        assert self.response.status == 200

    def next_event(self):
        line = self.response.readline()
        if not line:
            return None
        return json.loads(line)

    def events_until(self, predicate, limit=100):
        seen = []
        for _ in range(limit):
            event = self.next_event()
            assert event is not None, f"watch ended after {seen}"
            seen.append(event)
            if predicate(event):
                return seen
        raise AssertionError(f"no matching event in {seen}")

    def close(self):
        self.conn.close()


def test_create_sets_metadata_and_a_second_create_is_already_exists(api):
    status, created = call(api, "POST", CM, configmap("a", k="v"))
    assert status == 201
    meta = created["metadata"]
    assert meta["namespace"] == "default" and meta["uid"] and meta["creationTimestamp"]
    assert meta["generation"] == 1 and int(meta["resourceVersion"]) > 1
    status, error = call(api, "POST", CM, configmap("a"))
    assert status == 409 and error["kind"] == "Status" and error["reason"] == "AlreadyExists" and error["code"] == 409


def test_get_of_a_missing_object_is_a_not_found_status(api):
    status, error = call(api, "GET", CM + "/missing")
    assert status == 404
    assert error["reason"] == "NotFound" and error["code"] == 404 and "missing" in error["message"]


def test_every_write_increments_the_global_resource_version(api):
    _, a = call(api, "POST", CM, configmap("a"))
    _, b = call(api, "POST", ROUTES, route("r"))
    _, listed = call(api, "GET", CM)
    assert int(b["metadata"]["resourceVersion"]) == int(a["metadata"]["resourceVersion"]) + 1
    assert listed["metadata"]["resourceVersion"] == b["metadata"]["resourceVersion"]
    assert [item["metadata"]["name"] for item in listed["items"]] == ["a"]
    assert listed["kind"] == "ConfigMapList"


def test_a_no_op_update_changes_nothing(api):
    _, a = call(api, "POST", CM, configmap("a", k="v"))
    _, same = call(api, "PUT", CM + "/a", a)
    assert same["metadata"]["resourceVersion"] == a["metadata"]["resourceVersion"]


def test_update_with_a_stale_resource_version_is_a_conflict(api):
    _, a = call(api, "POST", CM, configmap("a", k="1"))
    a["data"]["k"] = "2"
    status, updated = call(api, "PUT", CM + "/a", a)
    assert status == 200 and updated["data"] == {"k": "2"}
    a["data"]["k"] = "3"
    status, error = call(api, "PUT", CM + "/a", a)
    assert status == 409 and error["reason"] == "Conflict"
    _, current = call(api, "GET", CM + "/a")
    assert current["data"] == {"k": "2"}


def test_generation_follows_spec_changes_only(api):
    _, r = call(api, "POST", ROUTES, dict(route("r"), status={"observedGeneration": 1}))
    assert r["metadata"]["generation"] == 1 and "status" not in r
    r["metadata"]["labels"] = {"a": "b"}
    _, r = call(api, "PUT", ROUTES + "/r", r)
    assert r["metadata"]["generation"] == 1
    r["spec"]["rules"][0]["backendRefs"][0]["weight"] = 2
    _, r = call(api, "PUT", ROUTES + "/r", r)
    assert r["metadata"]["generation"] == 2


def test_status_subresource_changes_only_status_and_main_put_ignores_status(api):
    _, r = call(api, "POST", ROUTES, route("r", weight=1))
    r["status"] = {"conditions": [condition()]}
    r["spec"]["rules"][0]["backendRefs"][0]["weight"] = 99
    status, after = call(api, "PUT", ROUTES + "/r/status", r)
    assert status == 200
    assert after["status"]["conditions"][0]["type"] == "Accepted"
    assert weight_of(after) == 1 and after["metadata"]["generation"] == 1
    after["status"] = {"observedGeneration": 7}
    after["spec"]["rules"][0]["backendRefs"][0]["weight"] = 2
    _, main = call(api, "PUT", ROUTES + "/r", after)
    assert main["status"]["conditions"][0]["type"] == "Accepted" and weight_of(main) == 2
    assert main["metadata"]["generation"] == 2
    stale = dict(r, metadata=dict(r["metadata"]))
    status, error = call(api, "PUT", ROUTES + "/r/status", stale)
    assert status == 409 and error["reason"] == "Conflict"


def test_merge_patch_merges_and_removes_with_null(api):
    call(api, "POST", CM, configmap("a", k="1", gone="x"))
    status, patched = call(api, "PATCH", CM + "/a", {"data": {"k": "2", "gone": None}},
                           content_type="application/merge-patch+json")
    assert status == 200 and patched["data"] == {"k": "2"}
    status, error = call(api, "PATCH", CM + "/a", [{"op": "add"}], content_type="application/json-patch+json")
    assert status == 415


def test_deleting_an_owner_deletes_its_dependents(api):
    _, gw = call(api, "POST", "/apis/sluice.dev/v1alpha1/namespaces/default/llmgateways",
                 {"metadata": {"name": "gw"}, "spec": {"podSelector": {"matchLabels": {"app": "chat"}}}})
    owner = {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMGateway", "name": "gw", "uid": gw["metadata"]["uid"]}
    dependent = configmap("sluice-gw")
    dependent["metadata"]["ownerReferences"] = [owner]
    call(api, "POST", CM, dependent)
    call(api, "POST", CM, configmap("unrelated"))
    status, _ = call(api, "DELETE", "/apis/sluice.dev/v1alpha1/namespaces/default/llmgateways/gw")
    assert status == 200
    assert call(api, "GET", CM + "/sluice-gw")[0] == 404
    assert call(api, "GET", CM + "/unrelated")[0] == 200
    assert call(api, "DELETE", CM + "/sluice-gw")[0] == 404


def test_cluster_wide_list_spans_namespaces(api):
    call(api, "POST", ROUTES, route("r1"))
    call(api, "POST", "/apis/sluice.dev/v1alpha1/namespaces/other/llmroutes", route("r2"))
    _, listed = call(api, "GET", "/apis/sluice.dev/v1alpha1/llmroutes")
    assert sorted((i["metadata"]["namespace"], i["metadata"]["name"]) for i in listed["items"]) == \
        [("default", "r1"), ("other", "r2")]


def test_watch_streams_events_after_the_resource_version_in_order(api):
    _, listed = call(api, "GET", CM)
    watch = Watch(api, CM, f"resourceVersion={listed['metadata']['resourceVersion']}")
    _, a = call(api, "POST", CM, configmap("a", k="1"))
    a["data"]["k"] = "2"
    call(api, "PUT", CM + "/a", a)
    call(api, "DELETE", CM + "/a")
    events = [watch.next_event() for _ in range(3)]
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs)
    watch.close()


def test_watch_without_a_resource_version_starts_with_the_current_objects(api):
    call(api, "POST", CM, configmap("a"))
    watch = Watch(api, CM, "")
    assert watch.next_event()["type"] == "ADDED"
    watch.close()


def test_watch_sends_bookmarks_when_asked(api):
    _, listed = call(api, "GET", CM)
    watch = Watch(api, CM, f"resourceVersion={listed['metadata']['resourceVersion']}&allowWatchBookmarks=true")
    call(api, "POST", ROUTES, route("elsewhere"))
    events = watch.events_until(lambda e: e["type"] == "BOOKMARK"
                                and int(e["object"]["metadata"]["resourceVersion"]) == api.store.rv)
    assert all(e["type"] == "BOOKMARK" for e in events)
    watch.close()


def test_watch_from_a_compacted_resource_version_is_gone(api):
    _, a = call(api, "POST", CM, configmap("a"))
    call(api, "POST", CM, configmap("b"))
    call(api, "POST", "/__fake/compact")
    watch = Watch(api, CM, f"resourceVersion={a['metadata']['resourceVersion']}")
    event = watch.next_event()
    assert event["type"] == "ERROR" and event["object"]["code"] == 410 and event["object"]["reason"] == "Expired"
    assert watch.next_event() is None
    watch.close()


def test_a_bounded_history_forgets_old_events():
    api = FakeKubeAPI(port=0, history_limit=2).start()
    try:
        _, first = call(api, "POST", CM, configmap("a"))
        for name in "bcd":
            call(api, "POST", CM, configmap(name))
        watch = Watch(api, CM, f"resourceVersion={first['metadata']['resourceVersion']}")
        assert watch.next_event()["object"]["code"] == 410
        watch.close()
    finally:
        api.stop()


def test_timeout_seconds_ends_the_watch_cleanly(api):
    watch = Watch(api, CM, "resourceVersion=1&timeoutSeconds=0.2")
    assert watch.next_event() is None  # a complete chunked body, not an error
    watch.close()


def test_drop_watches_cuts_open_connections_mid_stream(api):
    watch = Watch(api, CM, "resourceVersion=1")
    deadline = time.monotonic() + 5
    while api.state()["watches"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)  # lint: allow-sleep (polls the fake's state with a deadline)
    status, body = call(api, "POST", "/__fake/drop-watches")
    assert status == 200 and body["dropped"] == 1
    with pytest.raises(http.client.IncompleteRead):
        watch.response.read()
    watch.close()


def test_forced_conflicts_fail_the_next_writes(api):
    call(api, "POST", "/__fake/conflict?count=2")
    assert call(api, "POST", CM, configmap("a"))[0] == 409
    assert call(api, "POST", CM, configmap("a"))[0] == 409
    assert call(api, "POST", CM, configmap("a"))[0] == 201


def test_bearer_token_is_required_when_configured_and_can_rotate():
    api = FakeKubeAPI(port=0, token="one").start()
    try:
        assert call(api, "GET", CM)[0] == 401
        assert call(api, "GET", CM, token="one")[0] == 200
        call(api, "POST", "/__fake/token?value=two")
        assert call(api, "GET", CM, token="one")[0] == 401
        assert call(api, "GET", CM, token="two")[0] == 200
    finally:
        api.stop()


def test_the_script_prints_its_listening_address():
    script = os.path.join(os.path.dirname(__file__), "fake_kube_api.py")
    proc = subprocess.Popen([sys.executable, script, "--port", "0"], stderr=subprocess.PIPE)
    try:
        event = json.loads(proc.stderr.readline())
        assert event["event"] == "listening" and event["name"] == "kube-api"
        host, port = event["address"].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", CM)
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- custom resources are admitted as the real API server admits them (issue 15 item 5) ----------

GATEWAYS = "/apis/sluice.dev/v1alpha1/namespaces/default/llmgateways"
BACKENDS = "/apis/sluice.dev/v1alpha1/namespaces/default/llmbackends"


def write(api, method, path, body, content_type="application/json"):
    """Like call(), with the response's Warning headers: (status, body, warnings)."""
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    conn.request(method, path, body=json.dumps(body), headers={"Content-Type": content_type})
    response = conn.getresponse()
    data = response.read()
    warnings = response.headers.get_all("Warning") or []
    conn.close()
    return response.status, json.loads(data) if data else None, warnings


def gateway(name="gw", **spec):
    return {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMGateway", "metadata": {"name": name},
            "spec": {"podSelector": {"matchLabels": {"app": "chat"}}, **spec}}


def backend(name="openai", **spec):
    return {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMBackend", "metadata": {"name": name},
            "spec": {"provider": "openai", "url": "https://api.openai.com/v1", **spec}}


def refused(api, path, body, method="POST"):
    """Asserts a 422 Invalid Status of the real API's shape; returns {field: message}."""
    status, error, _ = write(api, method, path, body)
    assert status == 422, (status, error)
    assert error["kind"] == "Status" and error["apiVersion"] == "v1" and error["status"] == "Failure"
    assert error["reason"] == "Invalid" and error["code"] == 422
    details = error["details"]
    assert details["group"] == "sluice.dev" and details["name"] == body["metadata"]["name"]
    assert error["message"].startswith(f'{details["kind"]}.sluice.dev "{body["metadata"]["name"]}" is invalid: ')
    for cause in details["causes"]:
        assert set(cause) == {"reason", "message", "field"}, cause
        assert f'{cause["field"]}: {cause["message"]}' in error["message"]
    return {c["field"]: (c["reason"], c["message"]) for c in details["causes"]}


def test_defaults_are_applied_on_create(api):
    status, created, _ = write(api, "POST", GATEWAYS, gateway())
    assert status == 201
    assert created["spec"]["listeners"] == {"app": 4000, "admin": 4001, "metrics": 4090}
    # Inside a list item as well, and never over a value that is set.
    _, r, _ = write(api, "POST", ROUTES, {**route("r"), "spec": {"parentRefs": [{"name": "main"}],
                                                                   "rules": [{"backendRefs": [{"name": "a"}, {"name": "b", "weight": 5}]}]}})
    assert [b.get("weight") for b in r["spec"]["rules"][0]["backendRefs"]] == [1, 5]


@pytest.mark.parametrize("field,value,reason,message", [
    ("spec.listeners.app", "4000", "FieldValueTypeInvalid",
     'Invalid value: "string": spec.listeners.app in body must be of type integer: "string"'),
    ("spec.listeners.app", 70000, "FieldValueInvalid", "Invalid value: 70000: spec.listeners.app in body should be less than or equal to 65535"),
    ("spec.listeners.app", 0, "FieldValueInvalid", "Invalid value: 0: spec.listeners.app in body should be greater than or equal to 1"),
    ("spec.accessLog.sampleRate", 2, "FieldValueInvalid", "Invalid value: 2: spec.accessLog.sampleRate in body should be less than or equal to 1"),
    ("spec.podSelector.matchExpressions", [{"key": "app", "operator": "Equals", "values": ["x"]}], "FieldValueNotSupported",
     'Unsupported value: "Equals": supported values: "In", "NotIn", "Exists", "DoesNotExist"'),
    ("spec.podSelector.matchExpressions", [{"operator": "Exists"}], "FieldValueRequired", "Required value"),
    ("spec.configMapName", "Not_A_Name", "FieldValueInvalid", None),
    ("spec.configMapName", "a" * 254, "FieldValueTooLong", "Too long: may not be more than 253 bytes"),
])
def test_schema_violations_are_refused_with_the_real_status(api, field, value, reason, message):
    doc = gateway()
    node = doc
    *parents, last = field.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    causes = refused(api, GATEWAYS, doc)
    path = field if not isinstance(value, list) else f"{field}[0]." + ("operator" if reason != "FieldValueRequired" else "key")
    assert path in causes, causes
    assert causes[path][0] == reason
    if message:
        assert causes[path][1] == message
    else:
        assert causes[path][1].startswith(f'Invalid value: "{value}": {field} in body should match ')
    assert call(api, "GET", GATEWAYS + "/gw")[0] == 404  # nothing was stored


def test_required_fields_lists_and_patterns_of_routes(api):
    empty = {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMRoute", "metadata": {"name": "r"},
             "spec": {"parentRefs": [], "rules": [{"name": "UPPER", "backendRefs": []}]}}
    causes = refused(api, ROUTES, empty)
    assert causes["spec.parentRefs"] == ("FieldValueInvalid", "Invalid value: 0: spec.parentRefs in body should have at least 1 items")
    # Both the schema's minItems and, as bounds do not stop the rules, the list's CEL rule.
    (_, error, _) = write(api, "POST", ROUTES, empty)
    assert [c["message"] for c in error["details"]["causes"] if c["field"] == "spec.rules[0].backendRefs"] == [
        "Invalid value: 0: spec.rules[0].backendRefs in body should have at least 1 items",
        'Invalid value: "array": at least one backendRef needs a weight above 0']
    assert causes["spec.rules[0].name"][1].startswith('Invalid value: "UPPER": spec.rules[0].name in body should match')
    causes = refused(api, ROUTES, {"apiVersion": "sluice.dev/v1alpha1", "kind": "LLMRoute", "metadata": {"name": "r"}, "spec": {}})
    assert causes["spec.parentRefs"] == ("FieldValueRequired", "Required value") and "spec.rules" in causes
    too_many = route("r")
    too_many["spec"]["parentRefs"] = [{"name": f"g{i}"} for i in range(40)]
    causes = refused(api, ROUTES, too_many)
    (reason, message), = [v for k, v in causes.items() if k == "spec.parentRefs"]
    assert reason == "FieldValueTooMany" and message.startswith("Too many: 40: must have at most ")


def test_cel_rules_are_enforced_with_their_messages(api):
    causes = refused(api, GATEWAYS, gateway(podSelector={"matchLabels": {}}, listeners={"app": 4000, "admin": 4000}))
    assert causes["spec.podSelector"] == ("FieldValueInvalid", 'Invalid value: "object": podSelector must set matchLabels or '
                                          "matchExpressions; an empty selector would select every pod in the namespace")
    assert causes["spec.listeners"] == ("FieldValueInvalid", 'Invalid value: "object": app, admin and metrics must be three different ports')
    # A rule on the root object is reported at <nil>, as the real API prints it.
    causes = refused(api, BACKENDS, backend("b" * 64))
    assert causes["<nil>"][1].startswith('Invalid value: "object": an LLMBackend\'s name is at most 63 characters')
    # Rules see defaults: timeouts and durations compare as durations.
    causes = refused(api, BACKENDS, backend(circuitBreaker={"cooldown": "10m", "maxCooldown": "1m"}))
    assert causes["spec.circuitBreaker"][1] == 'Invalid value: "object": maxCooldown must not be shorter than cooldown'
    route_doc = route("r")
    route_doc["spec"]["rules"].append({"name": "all", "backendRefs": [{"name": "b"}]})
    assert refused(api, ROUTES, route_doc)["spec.rules"][1].endswith("rule names must be unique within the route")
    assert write(api, "POST", BACKENDS, backend(circuitBreaker={"cooldown": "1m", "maxCooldown": "10m"}))[0] == 201


def test_type_errors_stop_the_cel_rules_as_in_the_real_api(api):
    causes = refused(api, GATEWAYS, gateway(podSelector={"matchLabels": {}}, listeners={"app": "x"}))
    assert "spec.podSelector" not in causes  # the CEL rule did not run
    assert causes["<nil>"][1].endswith("some validation rules were not checked because the object was invalid; "
                                       "correct the existing errors to complete validation")


def test_unknown_fields_are_pruned_with_a_warning_or_refused_when_strict(api):
    doc = gateway()
    doc["spec"]["listners"] = {"app": 5000}
    doc["metadata"]["labelz"] = {"a": "b"}
    doc["extra"] = 1
    status, created, warnings = write(api, "POST", GATEWAYS, doc)
    assert status == 201 and "listners" not in created["spec"] and "extra" not in created
    assert created["spec"]["listeners"]["app"] == 4000
    assert sorted(warnings) == sorted(['299 - "unknown field \\"spec.listners\\""', '299 - "unknown field \\"metadata.labelz\\""',
                                       '299 - "unknown field \\"extra\\""'])
    status, error, _ = write(api, "POST", GATEWAYS + "?fieldValidation=Strict", dict(doc, metadata={"name": "strict"}))
    assert status == 400 and error["reason"] == "BadRequest"
    assert error["message"] == ('LLMGateway in version "v1alpha1" cannot be handled as a LLMGateway: strict decoding error: '
                                'unknown field "extra", unknown field "spec.listners"')
    assert write(api, "POST", GATEWAYS + "?fieldValidation=Ignore", dict(doc, metadata={"name": "quiet"}))[2] == []
    assert write(api, "POST", GATEWAYS + "?fieldValidation=Strict", gateway("fine"))[0] == 201


def test_updates_merge_patches_and_status_writes_are_validated_too(api):
    _, gw, _ = write(api, "POST", GATEWAYS, gateway())
    bad = json.loads(json.dumps(gw))
    bad["spec"]["listeners"]["admin"] = 4000
    assert "spec.listeners" in refused(api, GATEWAYS + "/gw", bad, method="PUT")
    status, error, _ = write(api, "PATCH", GATEWAYS + "/gw", {"spec": {"listeners": {"metrics": 4000}}},
                             content_type="application/merge-patch+json")
    assert status == 422 and error["details"]["causes"][0]["field"] == "spec.listeners"
    # A merge patch that removes a defaulted field gets the default back, and is then no change.
    status, patched, _ = write(api, "PATCH", GATEWAYS + "/gw", {"spec": {"listeners": None}},
                               content_type="application/merge-patch+json")
    assert status == 200 and patched["spec"]["listeners"]["app"] == 4000
    assert patched["metadata"]["resourceVersion"] == gw["metadata"]["resourceVersion"]
    # Status: the conditions' schema (enum, date-time, list-map keys) holds there as well.
    gw["status"] = {"conditions": [condition(status="true")]}
    causes = refused(api, GATEWAYS + "/gw/status", gw, method="PUT")
    assert causes["status.conditions[0].status"][0] == "FieldValueNotSupported"
    gw["status"] = {"conditions": [condition(lastTransitionTime="yesterday")]}
    assert refused(api, GATEWAYS + "/gw/status", gw, method="PUT")["status.conditions[0].lastTransitionTime"][1] == \
        'Invalid value: "yesterday": status.conditions[0].lastTransitionTime in body must be of type date-time: "yesterday"'
    gw["status"] = {"conditions": [condition(), condition(status="False")]}
    assert refused(api, GATEWAYS + "/gw/status", gw, method="PUT")["status.conditions[1]"] == \
        ("FieldValueDuplicate", 'Duplicate value: {"type":"Accepted"}')
    gw["status"] = {"conditions": [condition(), condition("Programmed")], "observedGeneration": 1}
    assert write(api, "PUT", GATEWAYS + "/gw/status", gw)[0] == 200


def test_a_plural_no_crd_defines_is_not_found_and_other_groups_are_stored_as_sent(api):
    status, error = call(api, "POST", "/apis/sluice.dev/v1alpha1/namespaces/default/llmwidgets", {"metadata": {"name": "w"}})
    assert status == 404 and error["reason"] == "NotFound"
    assert call(api, "POST", "/apis/example.com/v1/namespaces/default/widgets", {"metadata": {"name": "w"}, "spec": {"x": 1}})[0] == 201


WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
            type: object
            properties:
              size:
                type: integer
                minimum: 0
                exclusiveMinimum: true
                multipleOf: 2
                x-kubernetes-validations:
                - rule: self >= oldSelf
                  message: size may only grow
                  messageExpression: "'size may only grow, not from ' + string(oldSelf) + ' to ' + string(self)"
              class:
                type: string
                x-kubernetes-validations:
                - rule: self == oldSelf
                  message: class is immutable
                  reason: FieldValueForbidden
              tags:
                type: array
                maxItems: 4
                x-kubernetes-list-type: set
                items: {type: string}
              ports:
                type: array
                maxItems: 4
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    number:
                      type: integer
                      x-kubernetes-validations:
                      - rule: self == oldSelf
                        message: a port's number is immutable
              note:
                type: string
                nullable: true
            x-kubernetes-validations:
            - rule: "!has(self.note) || self.note != 'forbidden'"
              message: this note is refused
              fieldPath: .note
"""


@pytest.fixture
def widgets(tmp_path):
    (tmp_path / "widget.yaml").write_text(WIDGET_CRD)
    server = FakeKubeAPI(port=0, crds=str(tmp_path)).start()
    yield server
    server.stop()


WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


def widget(**spec):
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}


def widget_causes(api, method, path, body):
    status, error, _ = write(api, method, path, body)
    assert status == 422, (status, error)
    return {c["field"]: (c["reason"], c["message"]) for c in error["details"]["causes"]}


def test_transition_rules_run_on_updates_only_with_the_old_value(widgets):
    status, created, _ = write(widgets, "POST", WIDGETS, widget(size=4, **{"class": "small"}))
    assert status == 201  # no old value: the oldSelf rules do not run on create
    shrunk = dict(created, spec=dict(created["spec"], size=2))
    assert widget_causes(widgets, "PUT", WIDGETS + "/w", shrunk)["spec.size"] == \
        ("FieldValueInvalid", 'Invalid value: "integer": size may only grow, not from 4 to 2')
    renamed = dict(created, spec=dict(created["spec"], **{"class": "large"}))
    assert widget_causes(widgets, "PUT", WIDGETS + "/w", renamed)["spec.class"] == ("FieldValueForbidden", "Forbidden: class is immutable")
    grown = dict(created, spec=dict(created["spec"], size=8))
    assert write(widgets, "PUT", WIDGETS + "/w", grown)[0] == 200
    # A field that had no old value is not checked against one.
    status, _, _ = write(widgets, "PATCH", WIDGETS + "/w", {"spec": {"ports": [{"name": "http", "number": 80}]}},
                         content_type="application/merge-patch+json")
    assert status == 200


def test_map_list_items_are_correlated_by_key_for_transition_rules(widgets):
    _, created, _ = write(widgets, "POST", WIDGETS, widget(ports=[{"name": "http", "number": 80}]))
    moved = dict(created, spec={"ports": [{"name": "admin", "number": 81}, {"name": "http", "number": 8080}]})
    causes = widget_causes(widgets, "PUT", WIDGETS + "/w", moved)
    assert list(causes) == ["spec.ports[1].number"]  # the new item "admin" has no old self
    assert causes["spec.ports[1].number"][1] == 'Invalid value: "integer": a port\'s number is immutable'


def test_bounds_sets_nullable_and_field_paths_of_rules(widgets):
    causes = widget_causes(widgets, "POST", WIDGETS, widget(size=0, tags=["a", "a"], note="forbidden"))
    assert causes["spec.size"][1] == "Invalid value: 0: spec.size in body should be greater than 0"
    assert causes["spec.tags[1]"] == ("FieldValueDuplicate", 'Duplicate value: "a"')
    assert causes["spec.note"] == ("FieldValueInvalid", 'Invalid value: "object": this note is refused')
    assert widget_causes(widgets, "POST", WIDGETS, widget(size=3))["spec.size"][1] == \
        "Invalid value: 3: spec.size in body should be a multiple of 2"
    assert write(widgets, "POST", WIDGETS, widget(size=2, tags=["a", "b"], note=None))[0] == 201


def test_a_crd_with_schema_features_the_fake_does_not_model_is_refused_loudly(tmp_path):
    (tmp_path / "widget.yaml").write_text(WIDGET_CRD.replace("maxItems: 4\n                x-kubernetes-list-type: set",
                                                             "maxItems: 4\n                uniqueItems: true\n"
                                                             "                x-kubernetes-list-type: set"))
    server = FakeKubeAPI(port=0, crds=str(tmp_path)).start()
    try:
        status, error = call(server, "POST", WIDGETS, widget(size=2))
        assert status == 500 and "uniqueItems" in error["message"]
    finally:
        server.stop()


def test_the_script_can_run_without_crds_for_clients_that_need_a_plain_store():
    script = os.path.join(os.path.dirname(__file__), "fake_kube_api.py")
    proc = subprocess.Popen([sys.executable, script, "--port", "0", "--crds", "none"], stderr=subprocess.PIPE)
    try:
        host, port = json.loads(proc.stderr.readline())["address"].rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("POST", ROUTES, body=json.dumps({"metadata": {"name": "r"}, "spec": {"anything": 1}}))
        assert conn.getresponse().status == 201
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
