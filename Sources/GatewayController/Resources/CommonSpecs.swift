import ProxyCore

/// `{name, key}`: a key of a Secret in the referring object's namespace.
package struct SecretKeyRef: Hashable, Sendable {
    package var name: String
    package var key: String

    package init(name: String, key: String) {
        self.name = name
        self.key = key
    }

    static func decode(_ value: JSONValue?, at path: String, defaultKey: String?, decoding: inout SpecDecoding) -> SecretKeyRef? {
        let allowed = defaultKey == nil ? ["name"] : ["name", "key"]
        guard let object = decoding.object(value, at: path, allowed: allowed, required: ["name"]) else { return nil }
        guard let name = decoding.objectName(object["name"], at: object.path("name")) else { return nil }
        var key = defaultKey ?? ""
        if defaultKey != nil, let value = object["key"] {
            guard let text = decoding.string(value, at: object.path("key"), maxLength: 253, nonEmpty: true) else { return nil }
            guard text.utf8.allSatisfy({ byte in
                      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                          || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                          || byte == UInt8(ascii: "_")
                  })
            else {
                decoding.report(object.path("key"), "\(SpecDecoding.quoted(text)) is not a valid Secret key; expected letters, digits, \"-\", \".\" and \"_\"")
                return nil
            }
            key = text
        }
        return SecretKeyRef(name: name, key: key)
    }
}

/// A `parentRefs` entry: an LLMGateway, by name and optional namespace.
package struct ParentRef: Hashable, Sendable {
    package var name: String
    /// Nil: the referring object's namespace.
    package var namespace: String?

    /// The refs at `path`; nil when absent (the spec's own required-field check reports that) or wrong.
    static func decodeList(_ value: JSONValue?, at path: String, decoding: inout SpecDecoding) -> [ParentRef]? {
        guard let elements = decoding.array(value, at: path, min: 1, max: 16) else { return nil }
        var refs: [ParentRef] = []
        var ok = true
        for (index, element) in elements.enumerated() {
            let elementPath = JSONPath.element(path, index)
            guard let object = decoding.object(element, at: elementPath, allowed: ["name", "namespace"], required: ["name"]),
                  let name = decoding.objectName(object["name"], at: object.path("name"))
            else { ok = false; continue }
            var namespace: String?
            if let value = object["namespace"] {
                namespace = decoding.objectName(value, at: object.path("namespace"), maxLength: 63)
                if namespace == nil { ok = false; continue }
            }
            refs.append(ParentRef(name: name, namespace: namespace))
        }
        return ok ? refs : nil
    }
}

/// Upstream timeouts as a CRD writes them: each optional (inherited when absent).
package struct TimeoutsSpec: Hashable, Sendable {
    package var connect: ProxyDuration?
    package var firstByte: ProxyDuration?
    package var firstToken: ProxyDuration?
    package var idle: ProxyDuration?
    package var total: ProxyDuration?
    /// Route rules only: the deadline of the whole request.
    package var request: ProxyDuration?

    package init(connect: ProxyDuration? = nil, firstByte: ProxyDuration? = nil, firstToken: ProxyDuration? = nil,
                 idle: ProxyDuration? = nil, total: ProxyDuration? = nil, request: ProxyDuration? = nil) {
        self.connect = connect
        self.firstByte = firstByte
        self.firstToken = firstToken
        self.idle = idle
        self.total = total
        self.request = request
    }

    package var isEmpty: Bool { connect == nil && firstByte == nil && firstToken == nil && idle == nil && total == nil && request == nil }

    /// The attempt timeouts as the proxy config's overrides (`request` is the route's deadline).
    package var overrides: TimeoutOverrides {
        TimeoutOverrides(connect: connect, firstByte: firstByte, firstToken: firstToken, idle: idle, total: total)
    }

    static func decode(_ value: JSONValue?, at path: String, withRequest: Bool, decoding: inout SpecDecoding) -> TimeoutsSpec? {
        let fields = ["connect", "firstByte", "firstToken", "idle", "total"] + (withRequest ? ["request"] : [])
        guard let object = decoding.optionalObject(value, at: path, allowed: fields) else { return value == nil ? TimeoutsSpec() : nil }
        let before = decoding.issues.count
        let spec = TimeoutsSpec(connect: decoding.duration(object["connect"], at: object.path("connect")),
                                firstByte: decoding.duration(object["firstByte"], at: object.path("firstByte")),
                                firstToken: decoding.duration(object["firstToken"], at: object.path("firstToken")),
                                idle: decoding.duration(object["idle"], at: object.path("idle")),
                                total: decoding.duration(object["total"], at: object.path("total")),
                                request: withRequest ? decoding.duration(object["request"], at: object.path("request")) : nil)
        return decoding.issues.count == before ? spec : nil
    }
}

extension StatusMatch {
    /// `retry.statuses` / `fallback.triggers.statuses`: codes 400–599, `"4xx"` or `"5xx"`.
    static func decodeList(_ value: JSONValue?, at path: String, defaultValue: [StatusMatch], decoding: inout SpecDecoding) -> [StatusMatch]? {
        guard value != nil else { return defaultValue }
        guard let elements = decoding.array(value, at: path, max: 32) else { return nil }
        var result: [StatusMatch] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let elementPath = JSONPath.element(path, index)
            switch element {
            case .number(let number) where number.int.map({ (400...599).contains($0) }) == true:
                result.append(.code(number.int!))
            case .string("4xx"): result.append(.statusClass(4))
            case .string("5xx"): result.append(.statusClass(5))
            default:
                // Every bad entry is reported, not only the first.
                decoding.report(elementPath, "\(SpecDecoding.found(element)) is not a status code from 400 to 599 or \"4xx\" or \"5xx\"")
                valid = false
            }
        }
        return valid ? result : nil
    }
}

/// Exponential backoff bounds.
package struct BackoffSpec: Hashable, Sendable {
    package var base: ProxyDuration?
    package var max: ProxyDuration?

    static func decode(_ value: JSONValue?, at path: String, decoding: inout SpecDecoding) -> BackoffSpec? {
        guard let object = decoding.optionalObject(value, at: path, allowed: ["base", "max"]) else { return value == nil ? BackoffSpec() : nil }
        let before = decoding.issues.count
        let spec = BackoffSpec(base: decoding.duration(object["base"], at: object.path("base")),
                               max: decoding.duration(object["max"], at: object.path("max")))
        guard decoding.issues.count == before else { return nil }
        if let base = spec.base, let max = spec.max, max < base {
            decoding.report(object.path("max"), "must not be shorter than base")
            return nil
        }
        return spec
    }
}
