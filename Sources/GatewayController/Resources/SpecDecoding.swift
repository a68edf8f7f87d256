import ProxyCore

/// The state of decoding one resource: every issue found so far. Each reader records what it
/// finds wrong and returns nil, so decoding goes on and reports everything at once, the way
/// `ProxyConfigDecoder` does. Strict: unknown fields are issues (the API server refuses them
/// too; files given to `render` and `validate` are held to the same rules).
struct SpecDecoding {
    var issues: [SpecIssue] = []

    mutating func report(_ path: String, _ message: String) {
        issues.append(SpecIssue(path: path, message: message))
    }

    /// An object with only `allowed` keys; `required` ones missing are reported.
    mutating func object(_ value: JSONValue?, at path: String, allowed: [String], required: [String] = []) -> SpecObject? {
        guard let value else {
            report(path, "required field is missing")
            return nil
        }
        guard case .object(let members) = value else {
            report(path, "expected an object, found \(Self.found(value))")
            return nil
        }
        let object = SpecObject(members: members, path: path)
        for key in members.keys where !allowed.contains(key) {
            report(object.path(key), Self.unknownFieldMessage(key, allowed: allowed))
        }
        for key in required where members[key] == nil {
            report(object.path(key), "required field is missing")
        }
        return object
    }

    /// An optional object: nil without an issue when absent.
    mutating func optionalObject(_ value: JSONValue?, at path: String, allowed: [String], required: [String] = []) -> SpecObject? {
        guard value != nil else { return nil }
        return object(value, at: path, allowed: allowed, required: required)
    }

    mutating func array(_ value: JSONValue?, at path: String, min: Int = 0, max: Int) -> [JSONValue]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            report(path, "expected an array, found \(Self.found(value))")
            return nil
        }
        if elements.count < min {
            report(path, "expected at least \(min) item\(min == 1 ? "" : "s")")
            return nil
        }
        if elements.count > max {
            report(path, "expected at most \(max) items, found \(elements.count)")
            return nil
        }
        return elements
    }

    mutating func string(_ value: JSONValue?, at path: String, maxLength: Int = 4096, nonEmpty: Bool = false) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            report(path, "expected a string, found \(Self.found(value))")
            return nil
        }
        if nonEmpty && text.isEmpty {
            report(path, "expected a non-empty string")
            return nil
        }
        if text.utf8.count > maxLength {
            report(path, "longer than \(maxLength) bytes")
            return nil
        }
        return text
    }

    /// A Kubernetes object name (DNS subdomain: lowercase letters, digits, `-` and `.`).
    mutating func objectName(_ value: JSONValue?, at path: String, maxLength: Int = 253) -> String? {
        guard let text = string(value, at: path, maxLength: maxLength, nonEmpty: true) else { return nil }
        guard Self.isDNSSubdomain(text) else {
            report(path, "\(Self.quoted(text)) is not a valid name; expected lowercase letters, digits, \"-\" and \".\", starting and ending with a letter or digit")
            return nil
        }
        return text
    }

    mutating func integer(_ value: JSONValue?, at path: String, in range: ClosedRange<Int>) -> Int? {
        guard let value else { return nil }
        guard case .number(let number) = value, let int = number.int else {
            report(path, "\(Self.found(value)) is not an integer")
            return nil
        }
        guard range.contains(int) else {
            report(path, "\(int) is not in the range \(range.lowerBound)…\(range.upperBound)")
            return nil
        }
        return int
    }

    /// A non-negative number, kept as its literal (prices, quotas) so nothing is rounded.
    mutating func nonNegativeNumber(_ value: JSONValue?, at path: String, max: Double? = nil) -> JSONNumber? {
        guard let value else { return nil }
        guard case .number(let number) = value, let double = number.double else {
            report(path, "\(Self.found(value)) is not a number")
            return nil
        }
        guard double >= 0, max.map({ double <= $0 }) ?? true else {
            report(path, "\(number.literal) is not in the range 0…\(max.map { String($0) } ?? "")")
            return nil
        }
        return number
    }

    mutating func bool(_ value: JSONValue?, at path: String) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            report(path, "expected true or false, found \(Self.found(value))")
            return nil
        }
        return flag
    }

    /// One of `choices`.
    mutating func choice(_ value: JSONValue?, at path: String, _ choices: [String]) -> String? {
        guard let value else { return nil }
        if case .string(let text) = value, choices.contains(text) { return text }
        report(path, "\(Self.found(value)) is not one of " + choices.map(Self.quoted).joined(separator: ", "))
        return nil
    }

    /// A duration as the CRDs write them (`250ms`, `1m30s`), checked and kept as text.
    mutating func duration(_ value: JSONValue?, at path: String) -> ProxyDuration? {
        guard let value else { return nil }
        guard case .string(let text) = value, Self.isCRDDuration(text), let duration = ProxyDuration(parsing: text) else {
            report(path, "\(Self.found(value)) is not a duration; expected a duration such as \"250ms\", \"2s\" or \"1h\"")
            return nil
        }
        guard duration > .zero else {
            report(path, "\(Self.found(value)) is not a positive duration")
            return nil
        }
        return duration
    }

    /// A map of strings to strings, in key order.
    mutating func stringMap(_ value: JSONValue?, at path: String, maxLength: Int = 4096) -> [(key: String, value: String)]? {
        guard let value else { return nil }
        guard case .object(let members) = value else {
            report(path, "expected an object, found \(Self.found(value))")
            return nil
        }
        var result: [(key: String, value: String)] = []
        for member in members.members {
            if let text = string(member.value, at: JSONPath.member(path, member.key), maxLength: maxLength) {
                result.append((member.key, text))
            }
        }
        return result.sorted { $0.key < $1.key }
    }

    // MARK: Text helpers

    /// As the proxy config's messages show a value: one wording for both.
    static func found(_ value: JSONValue) -> String { ConfigIssue.found(value) }

    static func quoted(_ text: String) -> String { ConfigIssue.quoted(text) }

    static func unknownFieldMessage(_ key: String, allowed: [String]) -> String {
        ConfigObjectReader.unknownFieldMessage(key, allowed: allowed)
    }

    /// `^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`, the CRDs' duration pattern.
    static func isCRDDuration(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func digits() -> Bool {
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index > start
        }
        guard !bytes.isEmpty else { return false }
        while index < bytes.count {
            guard digits() else { return false }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() else { return false }
            }
            let rest = bytes[index...]
            if rest.starts(with: "ns".utf8) || rest.starts(with: "us".utf8) || rest.starts(with: "ms".utf8) {
                index += 2
            } else if rest.first == UInt8(ascii: "s") || rest.first == UInt8(ascii: "m") || rest.first == UInt8(ascii: "h") {
                index += 1
            } else {
                return false
            }
        }
        return true
    }

    /// RFC 1123 subdomain, as Kubernetes names are.
    static func isDNSSubdomain(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard let first = label.first, let last = label.last, isLowerAlnum(first), isLowerAlnum(last),
                  label.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
            else { return false }
        }
        return true
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// RFC 9110 token (header names).
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

/// One object of a spec being decoded, with its JSON path.
struct SpecObject {
    let members: JSONObject
    let path: String

    subscript(key: String) -> JSONValue? { members[key] }

    func path(_ key: String) -> String { JSONPath.member(path, key) }
}
