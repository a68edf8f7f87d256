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
    _, b = call(api, "POST", ROUTES, {"metadata": {"name": "r"}, "spec": {}})
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
    _, r = call(api, "POST", ROUTES, {"metadata": {"name": "r"}, "spec": {"w": 1}, "status": {"x": 1}})
    assert r["metadata"]["generation"] == 1 and "status" not in r
    r["metadata"]["labels"] = {"a": "b"}
    _, r = call(api, "PUT", ROUTES + "/r", r)
    assert r["metadata"]["generation"] == 1
    r["spec"]["w"] = 2
    _, r = call(api, "PUT", ROUTES + "/r", r)
    assert r["metadata"]["generation"] == 2


def test_status_subresource_changes_only_status_and_main_put_ignores_status(api):
    _, r = call(api, "POST", ROUTES, {"metadata": {"name": "r"}, "spec": {"w": 1}})
    r["status"] = {"conditions": [{"type": "Accepted", "status": "True"}]}
    r["spec"]["w"] = 99
    status, after = call(api, "PUT", ROUTES + "/r/status", r)
    assert status == 200
    assert after["status"]["conditions"][0]["type"] == "Accepted"
    assert after["spec"] == {"w": 1} and after["metadata"]["generation"] == 1
    after["status"] = {"other": True}
    after["spec"]["w"] = 2
    _, main = call(api, "PUT", ROUTES + "/r", after)
    assert main["status"]["conditions"][0]["type"] == "Accepted" and main["spec"]["w"] == 2
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
                 {"metadata": {"name": "gw"}, "spec": {}})
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
    call(api, "POST", ROUTES, {"metadata": {"name": "r1"}})
    call(api, "POST", "/apis/sluice.dev/v1alpha1/namespaces/other/llmroutes", {"metadata": {"name": "r2"}})
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
    call(api, "POST", ROUTES, {"metadata": {"name": "elsewhere"}})
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
