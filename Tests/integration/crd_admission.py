"""What the Kubernetes API server does to a custom resource before it stores it, for the fake API
server (fake_kube_api.py) and the tests that check objects the way a cluster would.

For each write (create, update, merge patch, status) of a kind whose CRD is loaded, in the real
API server's order (k8s.io/apiextensions-apiserver):

1. decoding: fields the schema does not declare are dropped (pruning), each with a warning
   `unknown field "spec.x"`; with `fieldValidation=Strict` the request fails instead, 400
   BadRequest `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error:
   unknown field "spec.x", ...`; unknown `metadata` fields likewise (ObjectMeta);
2. defaulting: `default` values of absent properties (and of `null` ones) are filled in, inside
   objects that exist;
3. validation, every error collected: `metadata.name` (a DNS subdomain), the OpenAPI v3 schema
   (type, required, enum, pattern, minimum/maximum and their exclusive forms, multipleOf,
   minLength/maxLength, minItems/maxItems, minProperties/maxProperties, format date-time,
   int-or-string, nullable), the list-type invariants (`set` and `map` items unique), then the
   `x-kubernetes-validations` CEL rules with cel-python (skipped, as in the real server, when a
   type or enum error makes the object unreadable), `oldSelf` transition rules on updates only,
   where the old value exists and is correlatable (object properties, map keys, items of
   `x-kubernetes-list-type: map` lists by their keys), `messageExpression`, `reason`,
   `fieldPath`. Errors become a 422 `Status` with `reason: Invalid` and one `details.causes[]`
   entry (`reason`, `message`, `field`) per error, with the real API's messages.

What it does not do (and refuses to load a CRD that needs it, so nothing is silently accepted):
`oneOf`/`allOf`/`not`, `anyOf` other than the int-or-string idiom, embedded resources,
`optionalOldSelf`, several versions with conversion. Not modelled: CEL cost budgets, validation
ratcheting (every stored object here was validated, so it never applies), formats other than
date-time, int64 and int32.

cel-python (import name `celpy`, pinned in requirements.txt) is imported on first use, so a
process that never writes a custom resource (the Swift KubeAPI tests run the fake with the system
python3) does not need it. PyYAML reads the CRDs.
"""
import copy
import glob
import json
import math
import os
import re

DEFAULT_CRD_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../deploy/crds"))

# field.ErrorType: the cause's `reason`, and how Go's ErrorBody() names it.
REQUIRED, INVALID, TYPE_INVALID, NOT_SUPPORTED = "FieldValueRequired", "FieldValueInvalid", "FieldValueTypeInvalid", "FieldValueNotSupported"
TOO_LONG, TOO_MANY, DUPLICATE, FORBIDDEN = "FieldValueTooLong", "FieldValueTooMany", "FieldValueDuplicate", "FieldValueForbidden"
_TYPE_NAMES = {REQUIRED: "Required value", INVALID: "Invalid value", TYPE_INVALID: "Invalid value",
               NOT_SUPPORTED: "Unsupported value", TOO_LONG: "Too long", TOO_MANY: "Too many",
               DUPLICATE: "Duplicate value", FORBIDDEN: "Forbidden"}
_NO_VALUE = object()  # Required, Forbidden and TooLong errors print no value

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_OBJECT_META = {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
                "ownerReferences", "finalizers", "managedFields"}
_SUPPORTED_KEYWORDS = {
    "type", "description", "properties", "required", "items", "additionalProperties", "enum", "pattern", "format",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
    "minItems", "maxItems", "minProperties", "maxProperties", "default", "nullable", "example", "title",
    "anyOf", "x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type", "x-kubernetes-validations", "x-kubernetes-preserve-unknown-fields",
}


def _go_value(value):
    """A bad value as Go's ErrorBody prints it: %v for numbers and booleans, %q for strings."""
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


class FieldError:
    """One `field.Error`: what goes into `details.causes[]` and the Status message."""

    def __init__(self, reason, field, value=_NO_VALUE, detail=""):
        self.reason, self.field, self.value, self.detail = reason, field, value, detail

    def body(self):
        text = _TYPE_NAMES[self.reason]
        if self.value is not _NO_VALUE:
            text += ": " + _go_value(self.value)
        return text + (": " + self.detail if self.detail else "")

    def __str__(self):
        return f"{self.field}: {self.body()}"

    def cause(self):
        return {"reason": self.reason, "message": self.body(), "field": self.field}


class Rejected(Exception):
    """The write fails: `status` is the Status object to answer, with its `code`."""

    def __init__(self, status):
        super().__init__(status["message"])
        self.status = status


def _status(code, reason, message, details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "details": details or {}, "code": code}


def _child(path, name):
    return f"{path}.{name}" if path else name


def _type_name(value):
    """The JSON type of a value as the OpenAPI errors name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def _has_type(value, wanted):
    if wanted == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if wanted == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return _type_name(value) == wanted


def _int_or_string(schema):
    return bool(schema.get("x-kubernetes-int-or-string"))


class Schema:
    """One kind's structural schema, checked once when the CRD is loaded."""

    def __init__(self, crd):
        spec = crd["spec"]
        versions = [v for v in spec["versions"] if v.get("served", True)]
        if len(versions) != 1:
            raise ValueError(f"{crd['metadata']['name']}: one served version is supported, not {len(versions)}")
        version = versions[0]
        self.group, self.version = spec["group"], version["name"]
        self.kind, self.plural = spec["names"]["kind"], spec["names"]["plural"]
        self.namespaced = spec.get("scope", "Namespaced") == "Namespaced"
        self.status_subresource = "status" in (version.get("subresources") or {})
        self.root = version["schema"]["openAPIV3Schema"]
        self._check(self.root, self.kind)

    def _check(self, node, path):
        unknown = set(node) - _SUPPORTED_KEYWORDS
        if unknown:
            raise ValueError(f"{path}: schema keywords {sorted(unknown)} are not modelled by the fake API server")
        if "anyOf" in node and not (_int_or_string(node) and node["anyOf"] == [{"type": "integer"}, {"type": "string"}]):
            raise ValueError(f"{path}: anyOf other than the int-or-string idiom is not modelled")
        for rule in node.get("x-kubernetes-validations", []):
            if rule.get("optionalOldSelf"):
                raise ValueError(f"{path}: optionalOldSelf is not modelled")
        for name, child in (node.get("properties") or {}).items():
            self._check(child, f"{path}.{name}")
        if isinstance(node.get("additionalProperties"), dict):
            self._check(node["additionalProperties"], f"{path}.*")
        if "items" in node:
            self._check(node["items"], f"{path}[]")

    # -- 1. pruning --------------------------------------------------------------------------

    def prune(self, obj):
        """Drops undeclared fields in place; returns their paths, as the real API names them."""
        unknown = []
        meta = obj.get("metadata")
        if isinstance(meta, dict):
            for name in sorted(set(meta) - _OBJECT_META):
                unknown.append(f"metadata.{name}")
                del meta[name]
        for name in sorted(set(obj) - set(self.root.get("properties", {})) - {"metadata"}):
            unknown.append(name)
            del obj[name]
        for name, child in self.root.get("properties", {}).items():
            if name != "metadata" and name in obj:
                self._prune(child, obj[name], name, unknown)
        return unknown

    def _prune(self, node, value, path, unknown):
        if isinstance(value, dict):
            if isinstance(node.get("additionalProperties"), dict):  # a map: every key is allowed
                for key, item in value.items():
                    self._prune(node["additionalProperties"], item, _child(path, key), unknown)
                return
            declared = node.get("properties") or {}
            if not node.get("x-kubernetes-preserve-unknown-fields"):
                for name in sorted(set(value) - set(declared)):
                    unknown.append(_child(path, name))
                    del value[name]
            for name, child in declared.items():
                if name in value:
                    self._prune(child, value[name], _child(path, name), unknown)
        elif isinstance(value, list) and "items" in node:
            for index, item in enumerate(value):
                self._prune(node["items"], item, f"{path}[{index}]", unknown)

    # -- 2. defaulting -----------------------------------------------------------------------

    def default(self, obj):
        self._default(self.root, obj)

    def _default(self, node, value):
        if isinstance(value, dict):
            for name, child in (node.get("properties") or {}).items():
                if "default" in child and (name not in value or (value[name] is None and not child.get("nullable"))):
                    value[name] = copy.deepcopy(child["default"])
                if name in value:
                    self._default(child, value[name])
            if isinstance(node.get("additionalProperties"), dict):
                for item in value.values():
                    self._default(node["additionalProperties"], item)
        elif isinstance(value, list) and "items" in node:
            for item in value:
                self._default(node["items"], item)

    # -- 3. validation -----------------------------------------------------------------------

    def validate(self, obj, old=None):
        errors = []
        name = (obj.get("metadata") or {}).get("name")
        if isinstance(name, str) and not _DNS_SUBDOMAIN.match(name):
            errors.append(FieldError(INVALID, "metadata.name", name,
                                     "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                                     "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                                     "'example.com', regex used for validation is "
                                     "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"))
        for field in ("apiVersion", "kind"):
            if field in obj and not isinstance(obj[field], str):
                got = _type_name(obj[field])
                errors.append(FieldError(TYPE_INVALID, field, got, f"{field} in body must be of type string: {json.dumps(got)}"))
        for field, child in self.root.get("properties", {}).items():
            if field not in ("metadata", "apiVersion", "kind") and field in obj:
                self._validate(child, obj[field], field, errors)
        for field in self.root.get("required", []):
            if field not in obj:
                errors.append(FieldError(REQUIRED, field))
        if any(e.reason in (TYPE_INVALID, NOT_SUPPORTED) for e in errors):
            # As apiextensions' hasBlockingErr: rules cannot be run on an object of the wrong shape.
            errors.append(FieldError(INVALID, "<nil>", None, "some validation rules were not checked because the "
                                                            "object was invalid; correct the existing errors to "
                                                            "complete validation"))
        else:
            errors += CELRules.check(self.root, self.cel_view(obj), None if old is None else self.cel_view(old), "")
        return errors

    @staticmethod
    def cel_view(obj):
        """The object as CEL rules at the root see it: of metadata, only name and generateName."""
        view = {k: v for k, v in obj.items() if k != "metadata"}
        meta = obj.get("metadata") or {}
        view["metadata"] = {k: meta[k] for k in ("name", "generateName") if k in meta}
        return view

    def _validate(self, node, value, path, errors):
        if value is None:
            if not node.get("nullable"):
                errors.append(self._type_error(node, value, path))
            return
        if _int_or_string(node):
            if not (_has_type(value, "integer") or _has_type(value, "string")):
                errors.append(FieldError(TYPE_INVALID, path, _type_name(value),
                                         f"{path} in body must be of type integer,string: {json.dumps(_type_name(value))}"))
                return
        elif "type" in node and not _has_type(value, node["type"]):
            errors.append(self._type_error(node, value, path))
            return
        if "enum" in node and value not in node["enum"]:
            supported = ", ".join(json.dumps(v) for v in node["enum"])
            errors.append(FieldError(NOT_SUPPORTED, path, value, f"supported values: {supported}"))
        if isinstance(value, str):
            self._validate_string(node, value, path, errors)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            self._validate_number(node, value, path, errors)
        elif isinstance(value, list):
            self._validate_list(node, value, path, errors)
        elif isinstance(value, dict):
            self._validate_object(node, value, path, errors)

    @staticmethod
    def _type_error(node, value, path):
        # The real message shows the value's type where others show the value.
        wanted, got = node.get("type", ""), _type_name(value)
        return FieldError(TYPE_INVALID, path, got, f"{path} in body must be of type {wanted}: {json.dumps(got)}")

    @staticmethod
    def _validate_string(node, value, path, errors):
        if "maxLength" in node and len(value) > node["maxLength"]:
            unit = "byte" if node["maxLength"] == 1 else "bytes"
            errors.append(FieldError(TOO_LONG, path, detail=f"may not be more than {node['maxLength']} {unit}"))
        if "minLength" in node and len(value) < node["minLength"]:
            errors.append(FieldError(INVALID, path, value, f"{path} in body should be at least {node['minLength']} chars long"))
        if "pattern" in node and not re.search(node["pattern"], value):
            errors.append(FieldError(INVALID, path, value, f"{path} in body should match '{node['pattern']}'"))
        if node.get("format") == "date-time" and not _DATE_TIME.match(value):
            errors.append(FieldError(INVALID, path, value, f"{path} in body must be of type date-time: {json.dumps(value)}"))

    @staticmethod
    def _validate_number(node, value, path, errors):
        fmt = node.get("format")
        bits = {"int32": 31, "int64": 63}.get(fmt)
        if bits and isinstance(value, int) and not -(2 ** bits) <= value < 2 ** bits:
            errors.append(FieldError(INVALID, path, value, f"{path} in body must be of type {fmt}: {json.dumps(str(value))}"))
        if "minimum" in node:
            exclusive = node.get("exclusiveMinimum") is True
            if value < node["minimum"] or (exclusive and value == node["minimum"]):
                relation = "greater than" if exclusive else "greater than or equal to"
                errors.append(FieldError(INVALID, path, value, f"{path} in body should be {relation} {node['minimum']}"))
        if "maximum" in node:
            exclusive = node.get("exclusiveMaximum") is True
            if value > node["maximum"] or (exclusive and value == node["maximum"]):
                relation = "less than" if exclusive else "less than or equal to"
                errors.append(FieldError(INVALID, path, value, f"{path} in body should be {relation} {node['maximum']}"))
        if "multipleOf" in node:
            quotient = value / node["multipleOf"]
            if not math.isclose(quotient, round(quotient)):
                errors.append(FieldError(INVALID, path, value, f"{path} in body should be a multiple of {node['multipleOf']}"))

    def _validate_list(self, node, value, path, errors):
        if "maxItems" in node and len(value) > node["maxItems"]:
            errors.append(FieldError(TOO_MANY, path, len(value), f"must have at most {node['maxItems']} items"))
        if "minItems" in node and len(value) < node["minItems"]:
            errors.append(FieldError(INVALID, path, len(value), f"{path} in body should have at least {node['minItems']} items"))
        for index, item in enumerate(value):
            self._validate(node["items"], item, f"{path}[{index}]", errors)
        list_type = node.get("x-kubernetes-list-type", "atomic")
        seen = []
        for index, item in enumerate(value):
            if list_type == "set":
                key = json.dumps(item, sort_keys=True)
                shown = item
            elif list_type == "map" and isinstance(item, dict):
                keys = node["x-kubernetes-list-map-keys"]
                shown = {k: item.get(k) for k in keys}
                key = json.dumps(shown, sort_keys=True)
            else:
                continue
            if key in seen:
                errors.append(FieldError(DUPLICATE, f"{path}[{index}]", shown))
            seen.append(key)

    def _validate_object(self, node, value, path, errors):
        if "maxProperties" in node and len(value) > node["maxProperties"]:
            errors.append(FieldError(TOO_MANY, path, len(value), f"must have at most {node['maxProperties']} items"))
        if "minProperties" in node and len(value) < node["minProperties"]:
            errors.append(FieldError(INVALID, path, len(value), f"{path} in body should have at least {node['minProperties']} properties"))
        for name, child in (node.get("properties") or {}).items():
            if name in value:
                self._validate(child, value[name], _child(path, name), errors)
        if isinstance(node.get("additionalProperties"), dict):
            for key, item in value.items():
                self._validate(node["additionalProperties"], item, _child(path, key), errors)
        for name in node.get("required", []):
            if name not in value:
                errors.append(FieldError(REQUIRED, _child(path, name)))


class CELRules:
    """The `x-kubernetes-validations` of a schema, evaluated with cel-python."""

    _programs = {}  # rule text → compiled program (compiling is the slow part)
    _old_self = re.compile(r"\boldSelf\b")

    @classmethod
    def _program(cls, text):
        program = cls._programs.get(text)
        if program is None:
            import celpy  # noqa: PLC0415 (imported on first use: see the module's docstring)
            environment = celpy.Environment()
            program = environment.program(environment.compile(text))
            cls._programs[text] = program
        return program

    @classmethod
    def compile_all(cls, node):
        for rule in node.get("x-kubernetes-validations", []):
            cls._program(rule["rule"])
            if rule.get("messageExpression"):
                cls._program(rule["messageExpression"])
        for child in (node.get("properties") or {}).values():
            cls.compile_all(child)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                cls.compile_all(node[key])

    @classmethod
    def _evaluate(cls, text, activation):
        import celpy  # noqa: PLC0415
        result = cls._program(text).evaluate({k: celpy.json_to_cel(v) for k, v in activation.items()})
        if isinstance(result, Exception):  # celpy returns some evaluation errors instead of raising them
            raise result
        return result

    @classmethod
    def check(cls, node, value, old, path):
        """Errors of every rule at and below `node` for `value`; `old` is the correlated old
        value on an update (None on create, or where the old value is absent or not correlatable)."""
        errors = []
        if _int_or_string(node):
            type_name = "integer" if isinstance(value, int) else "string"
        else:
            type_name = node.get("type", _type_name(value))
        for rule in node.get("x-kubernetes-validations", []):
            transition = bool(cls._old_self.search(rule["rule"]))
            if transition and old is None:
                continue
            activation = {"self": value, **({"oldSelf": old} if transition else {})}
            # A rule at the root has no path: the real API prints it as <nil>.
            field = path or "<nil>"
            if rule.get("fieldPath"):
                field = path + rule["fieldPath"] if path else rule["fieldPath"].lstrip(".")
            message = (rule.get("message") or rule["rule"]).strip()
            try:
                result = cls._evaluate(rule["rule"], activation)
            except Exception as error:  # noqa: BLE001 (any evaluation error is the rule failing, as in cel-go)
                errors.append(FieldError(INVALID, field, type_name, f"{error} evaluating rule: {message}"))
                continue
            if result is True or (type(result).__name__ == "BoolType" and bool(result)):
                continue
            if rule.get("messageExpression"):
                try:
                    expressed = cls._evaluate(rule["messageExpression"], activation)
                    if isinstance(expressed, str) and expressed.strip():
                        message = str(expressed).strip()
                except Exception:  # noqa: BLE001 (the real server falls back to the message too)
                    pass
            reason = rule.get("reason", INVALID)
            if reason in (REQUIRED, FORBIDDEN):
                errors.append(FieldError(reason, field, detail=message))
            else:
                errors.append(FieldError(reason, field, type_name, message))
        errors += cls._children(node, value, old, path)
        return errors

    @classmethod
    def _children(cls, node, value, old, path):
        errors = []
        if isinstance(value, dict):
            old_map = old if isinstance(old, dict) else {}
            for name, child in (node.get("properties") or {}).items():
                if name in value:
                    errors += cls.check(child, value[name], old_map.get(name), _child(path, name))
            if isinstance(node.get("additionalProperties"), dict):
                for key, item in value.items():
                    errors += cls.check(node["additionalProperties"], item, old_map.get(key), _child(path, key))
        elif isinstance(value, list) and "items" in node:
            # Only items of a map list are correlated with their old selves (by their keys).
            old_items = {}
            if node.get("x-kubernetes-list-type") == "map" and isinstance(old, list):
                keys = node["x-kubernetes-list-map-keys"]
                old_items = {json.dumps([i.get(k) for k in keys]): i for i in old if isinstance(i, dict)}
            for index, item in enumerate(value):
                previous = None
                if old_items and isinstance(item, dict):
                    previous = old_items.get(json.dumps([item.get(k) for k in node["x-kubernetes-list-map-keys"]]))
                errors += cls.check(node["items"], item, previous, f"{path}[{index}]")
        return errors


class CustomResources:
    """The CRDs of a directory (`deploy/crds` by default), read on first use, and what a write
    of one of their kinds goes through."""

    def __init__(self, crd_dir=DEFAULT_CRD_DIR):
        self.crd_dir = crd_dir
        self._schemas = None

    def _load(self):
        if self._schemas is None:
            import yaml  # noqa: PLC0415
            schemas = {}
            for path in sorted(glob.glob(os.path.join(self.crd_dir, "*.yaml"))):
                with open(path, encoding="utf-8") as f:
                    for doc in yaml.safe_load_all(f):
                        if doc and doc.get("kind") == "CustomResourceDefinition":
                            schema = Schema(doc)
                            schemas[(f"{schema.group}/{schema.version}", schema.plural)] = schema
            self._schemas = schemas
        return self._schemas

    def warm_up(self):
        """Reads the CRDs and compiles their CEL rules now (about a second, once per process),
        so the first write does not hold the fake's lock that long. Problems surface on writes."""
        try:
            for schema in self._load().values():
                CELRules.compile_all(schema.root)
        except (ValueError, ImportError):
            pass

    def groups(self):
        return {gv.split("/")[0] for gv, _ in self._load()}

    def schema(self, gv, plural):
        """The schema of a resource, or None when no CRD defines it."""
        return self._load().get((gv, plural))

    def by_kind(self, api_version, kind):
        return next((s for (gv, _), s in self._load().items() if gv == api_version and s.kind == kind), None)

    @staticmethod
    def admit(schema, obj, old=None, strict=False):
        """Prunes, defaults and validates `obj` (the object as it would be stored) in place.
        Returns the warnings to send; raises Rejected with the Status to answer."""
        for field, name, wanted in (("apiVersion", "API version", f"{schema.group}/{schema.version}"), ("kind", "kind", schema.kind)):
            if obj.get(field) not in (None, wanted):
                raise Rejected(_status(400, "BadRequest", f"the {name} in the data ({obj.get(field)}) does not match the "
                                                          f"expected {name} ({wanted})"))
        unknown = schema.prune(obj)
        if unknown and strict:
            fields = ", ".join(f'unknown field "{u}"' for u in unknown)
            raise Rejected(_status(400, "BadRequest", f'{schema.kind} in version "{schema.version}" cannot be handled as a '
                                                      f"{schema.kind}: strict decoding error: {fields}"))
        schema.default(obj)
        errors = schema.validate(obj, old)
        if errors:
            name = (obj.get("metadata") or {}).get("name", "")
            messages = list(dict.fromkeys(str(e) for e in errors))
            summary = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
            raise Rejected(_status(422, "Invalid", f'{schema.kind}.{schema.group} "{name}" is invalid: {summary}',
                                   {"name": name, "group": schema.group, "kind": schema.kind,
                                    "causes": [e.cause() for e in errors]}))
        return [f'unknown field "{u}"' for u in unknown]
