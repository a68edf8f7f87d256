import ProxyCore

/// RFC 6902 JSON Patch between two versions of a pod, at the granularity the injector
/// changes: whole annotations, container lists, volumes and the grace period (`add` when the
/// field was absent, `replace` when it changed).
package enum JSONPatch {
    static let paths: [[String]] = [["metadata", "annotations"], ["spec", "initContainers"], ["spec", "containers"], ["spec", "volumes"],
                                  ["spec", "terminationGracePeriodSeconds"]]

    package static func operations(from original: JSONValue, to updated: JSONValue) -> JSONValue {
        var operations: [JSONValue] = []
        for path in paths {
            let before = original.value(at: path)
            guard let after = updated.value(at: path), before != after else { continue }
            operations.append(.object(JSONObject([
                ("op", .string(before == nil ? "add" : "replace")),
                ("path", .string("/" + path.map(escape).joined(separator: "/"))),
                ("value", after),
            ])))
        }
        return .array(operations)
    }

    /// JSON Pointer escaping (RFC 6901 §3).
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
