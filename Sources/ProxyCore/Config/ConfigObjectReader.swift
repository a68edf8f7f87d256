/// Reads one JSON object of a proxy config: reports keys it does not know (typos must not
/// pass silently) and hands out members with their JSON paths. Config time only.
package struct ConfigObjectReader {
    let object: JSONObject
    /// The object's own path.
    let path: String

    /// Nil (with an issue recorded) when `value` is not an object; records one issue per unknown key.
    init?(_ value: JSONValue, at path: String, allowed: [String], issues: inout [ConfigIssue]) {
        guard case .object(let object) = value else {
            issues.append(ConfigIssue(path: path, message: "expected an object, found \(ConfigIssue.found(value))"))
            return nil
        }
        self.object = object
        self.path = path
        for key in object.keys where !allowed.contains(key) {
            issues.append(ConfigIssue(path: JSONPath.member(path, key), message: Self.unknownFieldMessage(key, allowed: allowed)))
        }
    }

    /// The member named `key`, or nil.
    subscript(key: String) -> JSONValue? { object[key] }

    /// Whether the member `key` is present (even as `null`).
    func has(_ key: String) -> Bool { object.members.contains { $0.key == key } }

    /// The path of member `key`.
    func path(_ key: String) -> String { JSONPath.member(path, key) }

    /// `unknown field; did you mean "timeouts"?` when one allowed key is close, else the full list.
    /// The controller words the CRDs' unknown fields the same way.
    package static func unknownFieldMessage(_ key: String, allowed: [String]) -> String {
        let lowerKey = key.lowercased()
        var best: (key: String, distance: Int)? = nil
        for candidate in allowed {
            let distance = candidate.lowercased() == lowerKey ? 0 : editDistance(Array(lowerKey.utf8), Array(candidate.lowercased().utf8))
            if distance <= 2, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        if let best { return "unknown field; did you mean \(ConfigIssue.quoted(best.key))?" }
        return "unknown field; expected one of " + allowed.map(ConfigIssue.quoted).joined(separator: ", ")
    }

    /// Levenshtein distance, capped: inputs longer than 64 bytes count as far apart.
    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.count > 64 || b.count > 64 { return .max }
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
