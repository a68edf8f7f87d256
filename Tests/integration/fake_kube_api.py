#!/usr/bin/env python3
"""A fake Kubernetes API server for tests, keeping the semantics a controller relies on.

Standard library only. Run it as a process:

    python3 fake_kube_api.py --port 0 [--token T] [--history N] [--bookmark-interval S]

which prints `{"event":"listening","name":"kube-api","address":"127.0.0.1:PORT"}` to stderr
once it accepts connections, or import it (`FakeKubeAPI(...).start()`) from pytest.

What it keeps from the real API server:
- one global resourceVersion counter, incremented on every write (a no-op update, whose
  result equals the stored object, is not a write and changes nothing, as in the real API);
- objects per (group/version, plural, namespace, name) with `metadata.resourceVersion`,
  `uid`, `generation` (bumped when anything but `metadata` and `status` changes) and
  `creationTimestamp`; errors are `Status` objects with `code`, `reason`, `message`;
- create (409 AlreadyExists), get (404 NotFound), list (list `metadata.resourceVersion`,
  equality `labelSelector`, `fieldSelector=metadata.name=`), update (409 Conflict on a stale
  resourceVersion), JSON merge patch (RFC 7386), delete (DeleteOptions preconditions; owner
  references collected at once, as the real garbage collector eventually does);
- the status subresource for every resource: `PUT|PATCH …/status` changes only `status`
  and never `generation`; the main resource ignores `status` on create, update and patch;
- watch (`?watch=1&resourceVersion=N&allowWatchBookmarks=true&timeoutSeconds=S`): chunked
  newline-delimited JSON events after N from a bounded history; without N (or N=0) the
  current objects first as ADDED; an `ERROR` event with a 410 `Status` (reason `Expired`)
  when N is older than the history window; periodic `BOOKMARK` events.

Custom resources are admitted as the real API server admits them, from the CRDs of
`deploy/crds` (or `--crds DIR`; `--crds none` turns it off): on create, update, merge patch and
status writes, unknown fields are pruned with a `Warning: 299 - "unknown field …"` header (or
refused, 400, with `?fieldValidation=Strict`), defaults are applied, and the OpenAPI schema and
the CEL rules are enforced, answering 422 with the real `Status` (`reason: Invalid`,
`details.causes[]`); crd_admission.py says exactly what is modelled. A plural of a CRD group that
no CRD defines is a 404. Resources of other groups (core, coordination.k8s.io, …) are stored as
sent. cel-python is needed only when a custom resource is written.

Test hooks (never authenticated):
- `POST /__fake/compact` forgets the whole history, so any older resourceVersion is gone;
- `POST /__fake/drop-watches` cuts every open watch connection abruptly (no last chunk);
- `POST /__fake/hold-watches?on=1|0` makes new watch requests wait (before their
  resourceVersion is checked) until released, so a test can change the world in between;
- `POST /__fake/conflict?count=N` fails the next N writes with 409 Conflict;
- `POST /__fake/token?value=T` changes the accepted bearer token (rotation);
- `GET /__fake/state` returns the resourceVersion, the history window and watch counts;
- `GET /__fake/requests` returns the request log (method, path and query).

Simplifications: no finalizers (delete is immediate), no admission webhooks, no schema for
built-in kinds, no field managers, no server-side apply, no pagination (`limit`/`continue` are
ignored).
"""
import argparse
import copy
import json
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from crd_admission import DEFAULT_CRD_DIR, CustomResources, Rejected

KINDS = {
    "configmaps": "ConfigMap", "secrets": "Secret", "events": "Event", "leases": "Lease",
    "namespaces": "Namespace", "pods": "Pod", "services": "Service", "deployments": "Deployment",
    "llmgateways": "LLMGateway", "llmbackends": "LLMBackend", "llmroutes": "LLMRoute",
    "llmconsumers": "LLMConsumer", "llmguardpolicies": "LLMGuardPolicy",
}


def kind_of(plural):
    return KINDS.get(plural) or plural[:1].upper() + plural[1:].rstrip("s")


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def status_object(code, reason, message, details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": details or {}, "code": code}


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def spec_part(obj):
    """Everything that bumps generation: all but metadata and status."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def parse_label_selector(text):
    """Equality-based selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated."""
    terms = []
    for term in filter(None, (t.strip() for t in (text or "").split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append(("ne", key.strip(), value.strip()))
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            terms.append(("eq", key.strip(), value.strip()))
        elif term.startswith("!"):
            terms.append(("absent", term[1:].strip(), None))
        else:
            terms.append(("present", term, None))
    return terms


def labels_match(terms, obj):
    labels = obj.get("metadata", {}).get("labels") or {}
    for op, key, value in terms:
        if op == "eq" and labels.get(key) != value:
            return False
        if op == "ne" and labels.get(key) == value:
            return False
        if op == "present" and key not in labels:
            return False
        if op == "absent" and key in labels:
            return False
    return True


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.status = status_object(code, reason, message, details)


class Target:
    """What a request path names: a collection, an object, or an object's subresource."""

    def __init__(self, gv, plural, namespace, name, subresource):
        self.gv, self.plural, self.namespace, self.name, self.subresource = gv, plural, namespace, name, subresource

    @property
    def resource(self):
        return (self.gv, self.plural)

    @staticmethod
    def parse(path):
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api":
            gv, rest = parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            gv, rest = parts[1] + "/" + parts[2], parts[3:]
        else:
            return None
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            return None
        plural = rest[0]
        name = rest[1] if len(rest) > 1 else None
        subresource = rest[2] if len(rest) > 2 else None
        return Target(gv, plural, namespace, name, subresource)


class Store:
    """Objects, the global resourceVersion and the bounded event history. Thread-safe."""

    def __init__(self, history_limit=1000, custom_resources=None):
        self.custom_resources = custom_resources  # CustomResources, or None: no CRD is enforced
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.rv = 1
        self.objects = {}  # (gv, plural) -> {(namespace or "", name): object}
        self.history = []  # [(rv, gv, plural, namespace, type, object)]
        self.history_start = 0  # every event with rv > history_start is in history
        self.history_limit = history_limit
        self.conflicts_pending = 0

    # Called with the lock held.
    def _record(self, resource, namespace, event_type, obj):
        self.history.append((self.rv, resource[0], resource[1], namespace or "", event_type, copy.deepcopy(obj)))
        while len(self.history) > self.history_limit:
            self.history_start = self.history.pop(0)[0]
        self.changed.notify_all()

    def _next_rv(self):
        self.rv += 1
        return str(self.rv)

    def _check_forced_conflict(self, target):
        if self.conflicts_pending > 0:
            self.conflicts_pending -= 1
            raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {target.plural} "{target.name}": '
                                            "the object has been modified; please apply your changes to the latest "
                                            "version and try again (injected)",
                           {"name": target.name or "", "kind": target.plural})

    def _bucket(self, target):
        return self.objects.setdefault(target.resource, {})

    def _existing(self, target):
        obj = self._bucket(target).get((target.namespace or "", target.name))
        if obj is None:
            raise ApiError(404, "NotFound", f'{target.plural} "{target.name}" not found',
                           {"name": target.name, "kind": target.plural})
        return obj

    @staticmethod
    def _check_rv(target, current, body):
        wanted = (body.get("metadata") or {}).get("resourceVersion")
        if wanted not in (None, "") and wanted != current["metadata"]["resourceVersion"]:
            raise ApiError(409, "Conflict", f'Operation cannot be fulfilled on {target.plural} "{target.name}": '
                                            "the object has been modified; please apply your changes to the latest "
                                            "version and try again", {"name": target.name, "kind": target.plural})

    def _schema(self, target):
        """The CRD schema of the target's resource, or None; 500 when the CRDs cannot be used."""
        crds = self.custom_resources
        if not crds or "/" not in target.gv:
            return None
        try:
            schema = crds.schema(target.gv, target.plural)
            if schema is None and target.gv.split("/")[0] in crds.groups():
                # A CRD group's plural that no CRD defines: the real API does not serve it.
                raise ApiError(404, "NotFound", f"the server could not find the requested resource ({target.plural})")
            return schema
        except (ValueError, ImportError) as error:  # a CRD the fake cannot model, or no PyYAML
            raise ApiError(500, "InternalError", f"the fake API server cannot enforce the CRDs of {crds.crd_dir}: {error}")

    def check_served(self, target):
        self._schema(target)

    def _admit(self, target, obj, old, strict):
        """Prunes, defaults and validates a custom resource in place; returns the warnings."""
        schema = self._schema(target)
        if not schema:
            return []
        try:
            return self.custom_resources.admit(schema, obj, old, strict)
        except ImportError as error:  # cel-python is missing: nothing is accepted unchecked
            raise ApiError(500, "InternalError", f"the fake API server needs cel-python (celpy) for the CRDs' rules: {error}")
        except Rejected as rejected:
            error = ApiError(rejected.status["code"], rejected.status["reason"], rejected.status["message"])
            error.status = rejected.status
            raise error

    def get(self, target):
        with self.lock:
            return copy.deepcopy(self._existing(target))

    def list(self, target, label_terms, name=None):
        with self.lock:
            items = [copy.deepcopy(obj) for (ns, n), obj in sorted(self._bucket(target).items())
                     if (target.namespace is None or ns == target.namespace) and (name is None or n == name)
                     and labels_match(label_terms, obj)]
            return {"kind": kind_of(target.plural) + "List", "apiVersion": target.gv,
                    "metadata": {"resourceVersion": str(self.rv)}, "items": items}

    def create(self, target, body, strict=False):
        """The stored object and the warnings for the response."""
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        with self.lock:
            self._check_forced_conflict(target)
            meta = body.setdefault("metadata", {})
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            name = meta.get("name")
            if not name:
                raise ApiError(422, "Invalid", "metadata.name: Required value: name or generateName is required")
            if target.namespace and meta.get("namespace") not in (None, "", target.namespace):
                raise ApiError(400, "BadRequest", "the namespace of the provided object does not match the "
                                                  "namespace sent on the request")
            key = (target.namespace or "", name)
            if key in self._bucket(target):
                raise ApiError(409, "AlreadyExists", f'{target.plural} "{name}" already exists',
                               {"name": name, "kind": target.plural})
            obj = copy.deepcopy(body)
            obj.pop("status", None)  # the status subresource ignores status on create
            obj.setdefault("apiVersion", target.gv)
            obj.setdefault("kind", kind_of(target.plural))
            meta = obj["metadata"]
            if target.namespace:
                meta["namespace"] = target.namespace
            meta.update(uid=str(uuid.uuid4()), creationTimestamp=now_rfc3339(), generation=1)
            warnings = self._admit(target, obj, None, strict)
            meta["resourceVersion"] = self._next_rv()
            self._bucket(target)[key] = obj
            self._record(target.resource, target.namespace, "ADDED", obj)
            return copy.deepcopy(obj), warnings

    def replace(self, target, body, status_only, strict=False):
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "the body must be a JSON object")
        if (body.get("metadata") or {}).get("name") not in (None, target.name):
            raise ApiError(400, "BadRequest", "the name of the object does not match the name on the URL")
        with self.lock:
            current = self._existing(target)
            self._check_forced_conflict(target)
            self._check_rv(target, current, body)
            return self._store_update(target, current, body, status_only, strict)

    def patch(self, target, patch, status_only, strict=False):
        if not isinstance(patch, dict):
            raise ApiError(400, "BadRequest", "a merge patch must be a JSON object")
        with self.lock:
            current = self._existing(target)
            self._check_forced_conflict(target)
            self._check_rv(target, current, patch)
            merged = merge_patch(current, patch)
            merged.setdefault("metadata", {})["resourceVersion"] = current["metadata"]["resourceVersion"]
            return self._store_update(target, current, merged, status_only, strict)

    # Called with the lock held. Returns the stored object and the warnings for the response.
    def _store_update(self, target, current, body, status_only, strict):
        if status_only:
            obj = copy.deepcopy(current)
            if "status" in body:
                obj["status"] = copy.deepcopy(body["status"])
            else:
                obj.pop("status", None)
        else:
            obj = copy.deepcopy(body)
            obj.pop("status", None)
            if "status" in current:
                obj["status"] = copy.deepcopy(current["status"])
            meta = obj.setdefault("metadata", {})
            for field in ("uid", "creationTimestamp", "namespace", "name", "generation"):
                if field in current["metadata"]:
                    meta[field] = current["metadata"][field]
                else:
                    meta.pop(field, None)
            obj.setdefault("apiVersion", current.get("apiVersion"))
            obj.setdefault("kind", current.get("kind"))
        obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        # Defaults are applied before the generation is compared, as in the real decoder.
        warnings = self._admit(target, obj, current, strict)
        if not status_only and spec_part(obj) != spec_part(current):
            obj["metadata"]["generation"] = current["metadata"].get("generation", 0) + 1
        if obj == current:
            return copy.deepcopy(current), warnings  # a no-op write is not a write
        obj["metadata"]["resourceVersion"] = self._next_rv()
        self._bucket(target)[(target.namespace or "", target.name)] = obj
        self._record(target.resource, target.namespace, "MODIFIED", obj)
        return copy.deepcopy(obj), warnings

    def delete(self, target, options):
        with self.lock:
            current = self._existing(target)
            self._check_forced_conflict(target)
            preconditions = (options or {}).get("preconditions") or {}
            for field in ("uid", "resourceVersion"):
                if preconditions.get(field) not in (None, current["metadata"].get(field)):
                    raise ApiError(409, "Conflict", f"Precondition failed: {field} in precondition: "
                                                    f"{preconditions[field]}, {field} in object meta: "
                                                    f"{current['metadata'].get(field)}",
                                   {"name": target.name, "kind": target.plural})
            self._remove(target.resource, target.namespace or "", target.name)
            return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                    "details": {"name": target.name, "kind": target.plural, "uid": current["metadata"]["uid"]}}

    # Called with the lock held. Deletes, then collects dependents (ownerReferences).
    def _remove(self, resource, namespace, name):
        obj = self.objects[resource].pop((namespace, name))
        obj["metadata"]["resourceVersion"] = self._next_rv()
        self._record(resource, namespace, "DELETED", obj)
        uid = obj["metadata"]["uid"]
        dependents = [(res, ns, n) for res, bucket in self.objects.items() for (ns, n), other in bucket.items()
                      if any(ref.get("uid") == uid for ref in other.get("metadata", {}).get("ownerReferences") or [])]
        for res, ns, n in dependents:
            if (ns, n) in self.objects.get(res, {}):
                self._remove(res, ns, n)

    def compact(self):
        with self.lock:
            self.history.clear()
            self.history_start = self.rv
            return self.rv

    def force_conflicts(self, count):
        with self.lock:
            self.conflicts_pending = count


class FakeKubeAPI:
    """The server: a `Store`, an HTTP listener on 127.0.0.1 and the open watch connections."""

    def __init__(self, port=0, token=None, history_limit=1000, bookmark_interval=0.5, crds=DEFAULT_CRD_DIR):
        """`crds`: the directory of the CRDs to enforce (None: store custom resources as sent)."""
        self.store = Store(history_limit, CustomResources(crds) if crds else None)
        self.token = token
        self.bookmark_interval = bookmark_interval
        self.watch_sockets = set()  # guarded by store.lock
        self.drop_generation = 0  # guarded by store.lock
        self.hold_watches = False  # guarded by store.lock
        self.held_watches = 0  # guarded by store.lock
        self.requests = []  # guarded by store.lock
        api = self

        class Handler(KubeHandler):
            server_api = api

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = None

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        if self.store.custom_resources:
            self.store.custom_resources.warm_up()
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.drop_watches()
        self.httpd.shutdown()
        self.httpd.server_close()

    def drop_watches(self):
        with self.store.lock:
            self.drop_generation += 1
            for sock in list(self.watch_sockets):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            count = len(self.watch_sockets)
            self.store.changed.notify_all()
            return count

    def set_hold(self, on):
        with self.store.lock:
            self.hold_watches = on
            self.store.changed.notify_all()

    def state(self):
        with self.store.lock:
            return {"resourceVersion": str(self.store.rv), "historyStart": str(self.store.history_start),
                    "historyLength": len(self.store.history), "watches": len(self.watch_sockets),
                    "heldWatches": self.held_watches, "conflictsPending": self.store.conflicts_pending}


def send_json(handler, code, obj, warnings=()):
    """Answers `handler`'s request with `obj` as JSON (also used by test_deploy's API stand-in),
    with one `Warning` header (RFC 7234 §5.5 form, as the API server sends) per warning."""
    body = json.dumps(obj).encode()
    handler.send_response(code)
    handler.send_header("Content-Type", "application/json")
    for warning in warnings:
        handler.send_header("Warning", "299 - " + json.dumps(warning))
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class KubeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_api = None  # set by FakeKubeAPI's subclass

    def log_message(self, *args):
        pass

    # -- plumbing --

    def _send_json(self, code, obj, warnings=()):
        send_json(self, code, obj, warnings)

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError as error:
            raise ApiError(400, "BadRequest", f"invalid JSON body: {error}")

    def _authorized(self):
        token = self.server_api.token
        return token is None or self.headers.get("Authorization") == f"Bearer {token}"

    def _dispatch(self, method):
        api = self.server_api
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        with api.store.lock:
            api.requests.append({"method": method, "path": split.path, "query": query})
            del api.requests[:-2000]
        try:
            if split.path.startswith("/__fake/"):
                return self._hook(method, split.path, query)
            if not self._authorized():
                raise ApiError(401, "Unauthorized", "Unauthorized")
            target = Target.parse(split.path)
            if target is None:
                raise ApiError(404, "NotFound", f"the server could not find the requested resource ({split.path})")
            if target.subresource not in (None, "status"):
                raise ApiError(404, "NotFound", f"subresource {target.subresource} is not supported")
            api.store.check_served(target)
            self._resource(method, target, query)
        except ApiError as error:
            self._send_json(error.status["code"], error.status)

    def _resource(self, method, target, query):
        store = self.server_api.store
        status_only = target.subresource == "status"
        # fieldValidation: Strict refuses unknown fields; Warn (the default) and Ignore prune them.
        validation = query.get("fieldValidation", "Warn")
        if validation not in ("Strict", "Warn", "Ignore"):
            raise ApiError(400, "BadRequest", f"fieldValidation must be one of Ignore, Warn or Strict, not {validation!r}")
        strict = validation == "Strict"

        def written(code, outcome):
            obj, warnings = outcome
            return self._send_json(code, obj, warnings if validation == "Warn" else ())
        if target.name is None:
            if method == "GET" and query.get("watch") in ("1", "true"):
                return self._watch(target, query)
            if method == "GET":
                name = None
                selector = query.get("fieldSelector", "")
                if selector.startswith("metadata.name="):
                    name = selector.split("=", 1)[1]
                return self._send_json(200, store.list(target, parse_label_selector(query.get("labelSelector")), name))
            if method == "POST":
                return written(201, store.create(target, self._read_body(), strict))
            raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed on a collection")
        if method == "GET":
            obj = store.get(target)
            return self._send_json(200, obj)
        if method == "PUT":
            return written(200, store.replace(target, self._read_body(), status_only, strict))
        if method == "PATCH":
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type not in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
                raise ApiError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - "
                                                            f"accepted media types include: application/merge-patch+json")
            return written(200, store.patch(target, self._read_body(), status_only, strict))
        if method == "DELETE":
            return self._send_json(200, store.delete(target, self._read_body()))
        raise ApiError(405, "MethodNotAllowed", f"{method} is not allowed")

    def _hook(self, method, path, query):
        api = self.server_api
        if method == "POST" and path == "/__fake/compact":
            return self._send_json(200, {"historyStart": str(api.store.compact())})
        if method == "POST" and path == "/__fake/drop-watches":
            return self._send_json(200, {"dropped": api.drop_watches()})
        if method == "POST" and path == "/__fake/hold-watches":
            api.set_hold(query.get("on", "1") in ("1", "true"))
            return self._send_json(200, api.state())
        if method == "POST" and path == "/__fake/conflict":
            api.store.force_conflicts(int(query.get("count", "1")))
            return self._send_json(200, api.state())
        if method == "POST" and path == "/__fake/token":
            api.token = query.get("value") or None
            return self._send_json(200, {})
        if method == "GET" and path == "/__fake/state":
            return self._send_json(200, api.state())
        if method == "GET" and path == "/__fake/requests":
            with api.store.lock:
                return self._send_json(200, list(api.requests))
        raise ApiError(404, "NotFound", f"no test hook {method} {path}")

    # -- watch --

    def _chunk(self, payload):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.wfile.flush()

    def _event_line(self, event_type, obj):
        return json.dumps({"type": event_type, "object": obj}).encode() + b"\n"

    def _watch(self, target, query):
        api, store = self.server_api, self.server_api.store
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        timeout = float(query.get("timeoutSeconds") or 1800)
        label_terms = parse_label_selector(query.get("labelSelector"))
        name = None
        if (query.get("fieldSelector") or "").startswith("metadata.name="):
            name = query["fieldSelector"].split("=", 1)[1]
        requested = query.get("resourceVersion") or ""

        def matches(gv, plural, ns, obj):
            return ((gv, plural) == target.resource and (target.namespace is None or ns == target.namespace)
                    and (name is None or obj["metadata"]["name"] == name) and labels_match(label_terms, obj))

        sock = self.connection
        with store.lock:
            api.held_watches += 1
            while api.hold_watches:
                store.changed.wait()
            api.held_watches -= 1
            generation = api.drop_generation
            initial, gone = [], None
            if requested in ("", "0"):
                initial = [self._event_line("ADDED", copy.deepcopy(obj))
                           for (ns, _), obj in sorted(store.objects.get(target.resource, {}).items())
                           if matches(target.gv, target.plural, ns, obj)]
                cursor = store.rv
            else:
                try:
                    cursor = int(requested)
                except ValueError:
                    raise ApiError(400, "BadRequest", f"invalid resourceVersion {requested!r}")
                if cursor < store.history_start:
                    gone = status_object(410, "Expired", f"too old resource version: {cursor} ({store.history_start})")
            api.watch_sockets.add(sock)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if gone:
                self._chunk(self._event_line("ERROR", gone))
                self.wfile.write(b"0\r\n\r\n")
                return
            if initial:
                self._chunk(b"".join(initial))
            deadline = time.monotonic() + timeout
            next_bookmark = time.monotonic() + api.bookmark_interval
            while True:
                with store.lock:
                    while True:
                        if api.drop_generation != generation:
                            return  # cut: no last chunk, the client sees the connection end mid-stream
                        if cursor < store.history_start:
                            gone = status_object(410, "Expired", f"too old resource version: {cursor} "
                                                                 f"({store.history_start})")
                            break
                        if store.rv > cursor:
                            break
                        now = time.monotonic()
                        if now >= deadline or (bookmarks and now >= next_bookmark):
                            break
                        wait_until = min(deadline, next_bookmark) if bookmarks else deadline
                        store.changed.wait(timeout=max(0.0, wait_until - now))
                    events = [self._event_line(t, obj) for (rv, gv, plural, ns, t, obj) in store.history
                              if rv > cursor and matches(gv, plural, ns, obj)] if not gone else []
                    cursor = max(cursor, store.rv)
                if gone:
                    self._chunk(self._event_line("ERROR", gone))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if events:
                    self._chunk(b"".join(events))
                now = time.monotonic()
                if bookmarks and now >= next_bookmark:
                    bookmark = {"kind": kind_of(target.plural), "apiVersion": target.gv,
                                "metadata": {"resourceVersion": str(cursor)}}
                    self._chunk(self._event_line("BOOKMARK", bookmark))
                    next_bookmark = now + api.bookmark_interval
                if now >= deadline:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                    return
        except OSError:
            return
        finally:
            with store.lock:
                api.watch_sockets.discard(sock)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")


def main(argv=None):
    parser = argparse.ArgumentParser(description="A fake Kubernetes API server for tests (loopback only).")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 picks a free one")
    parser.add_argument("--token", help="require this bearer token (the /__fake/ hooks never need it)")
    parser.add_argument("--history", type=int, default=1000, help="events kept for watches (older: 410 Gone)")
    parser.add_argument("--bookmark-interval", type=float, default=0.5, help="seconds between BOOKMARK events")
    parser.add_argument("--crds", default=DEFAULT_CRD_DIR,
                        help="directory of the CRDs whose schemas and CEL rules are enforced, or 'none'")
    args = parser.parse_args(argv)
    # A parent may start us with signals blocked (posix_spawn inherits the mask of the thread
    # that spawned us); make sure SIGTERM and SIGINT still stop the server.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    api = FakeKubeAPI(args.port, args.token, args.history, args.bookmark_interval,
                      crds=None if args.crds == "none" else args.crds).start()
    sys.stderr.write(json.dumps({"event": "listening", "name": "kube-api", "address": f"127.0.0.1:{api.port}"},
                                separators=(",", ":")) + "\n")
    sys.stderr.flush()
    try:
        api.thread.join()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
