/// Typed readers for single values. Each records one issue and returns nil when the value is
/// missing (if required) or wrong; an absent optional value returns nil without an issue.
extension ProxyConfigDecoding {
    static let durationExample = #"expected a duration such as "250ms", "2s" or "1h""#

    mutating func requiredArray(_ value: JSONValue?, at path: String, nonEmpty message: String) -> [JSONValue]? {
        guard let value else {
            report(path, "required field is missing")
            return nil
        }
        return array(value, at: path, nonEmpty: message)
    }

    mutating func array(_ value: JSONValue, at path: String, nonEmpty message: String) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            report(path, "expected an array, found \(ConfigIssue.found(value))")
            return nil
        }
        if elements.isEmpty {
            report(path, message)
            return nil
        }
        return elements
    }

    /// A non-empty string.
    mutating func string(_ value: JSONValue?, at path: String, required: Bool) -> String? {
        guard let value else {
            if required { report(path, "required field is missing") }
            return nil
        }
        guard case .string(let text) = value else {
            report(path, "expected a string, found \(ConfigIssue.found(value))")
            return nil
        }
        if text.isEmpty {
            report(path, "expected a non-empty string")
            return nil
        }
        return text
    }

    /// A backend or route name: 1 to 63 letters, digits, `.`, `_`, `-`, starting with a letter
    /// or digit (it ends up in response headers and metric labels).
    mutating func name(_ value: JSONValue?, at path: String) -> String? {
        guard let text = string(value, at: path, required: true) else { return nil }
        let bytes = Array(text.utf8)
        let valid = bytes.count <= 63 && Self.isAlphanumeric(bytes[0])
            && bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        guard valid else {
            report(path, "\(ConfigIssue.quoted(text)) is not a valid name; expected 1 to 63 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit")
            return nil
        }
        return text
    }

    /// An HTTP field name (RFC 9110 §5.1: a token).
    mutating func headerName(_ value: JSONValue?, at path: String) -> String? {
        guard let text = string(value, at: path, required: true) else { return nil }
        guard text.utf8.allSatisfy(Self.isTokenByte) else {
            report(path, "\(ConfigIssue.quoted(text)) is not a valid header name")
            return nil
        }
        return text
    }

    /// A positive duration string.
    mutating func duration(_ value: JSONValue?, at path: String) -> ProxyDuration? {
        guard let value else { return nil }
        guard case .string(let text) = value, let duration = ProxyDuration(parsing: text) else {
            report(path, "\(ConfigIssue.found(value)) is not a duration; \(Self.durationExample)")
            return nil
        }
        guard duration > .zero else {
            report(path, "\(ConfigIssue.found(value)) is not a positive duration")
            return nil
        }
        return duration
    }

    /// An integer in `range`; `expected` reads like "a non-negative integer".
    mutating func integer(_ value: JSONValue?, at path: String, in range: ClosedRange<Int>, expected: String,
                          required: Bool) -> Int? {
        guard let value else {
            if required { report(path, "required field is missing") }
            return nil
        }
        guard case .number(let number) = value, let int = number.int, int >= range.lowerBound else {
            report(path, "\(ConfigIssue.found(value)) is not \(expected)")
            return nil
        }
        guard int <= range.upperBound else {
            report(path, "\(int) is greater than the maximum \(range.upperBound)")
            return nil
        }
        return int
    }

    mutating func bool(_ value: JSONValue?, at path: String) -> Bool? {
        guard let value else { return nil }
        guard case .bool(let flag) = value else {
            report(path, "expected true or false, found \(ConfigIssue.found(value))")
            return nil
        }
        return flag
    }

    /// One of an enum's raw values.
    mutating func oneOf<E: RawRepresentable & CaseIterable>(_ value: JSONValue?, at path: String, required: Bool) -> E?
    where E.RawValue == String {
        guard let value else {
            if required { report(path, "required field is missing") }
            return nil
        }
        if case .string(let text) = value, let result = E(rawValue: text) { return result }
        let choices = E.allCases.map { ConfigIssue.quoted($0.rawValue) }.joined(separator: ", ")
        report(path, "\(ConfigIssue.found(value)) is not one of \(choices)")
        return nil
    }

    /// A file in the secrets directory: relative, no `..`, no empty segment, and existing.
    mutating func secretFile(_ value: JSONValue?, at path: String, required: Bool) -> String? {
        guard let text = string(value, at: path, required: required) else { return nil }
        let segments = text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let inside = !text.utf8.contains(0) && segments.allSatisfy { segment in
            !segment.isEmpty && !segment.elementsEqual("..".utf8) && !segment.elementsEqual(".".utf8)
        }
        guard inside else {
            report(path, "\(ConfigIssue.quoted(text)) is not a relative path inside the secrets directory")
            return nil
        }
        guard fileExists(text) else {
            report(path, "\(ConfigIssue.quoted(text)) does not exist in the secrets directory")
            return nil
        }
        return text
    }

    /// Which of `keys` are present in `object`; reports unless exactly one is.
    mutating func exactlyOne(of keys: [String], in object: ConfigObjectReader) -> String? {
        let present = keys.filter { object.has($0) }
        if present.count == 1 { return present[0] }
        let expected = keys.map(ConfigIssue.quoted).joined(separator: ", ")
        let found = present.isEmpty ? "none" : present.map(ConfigIssue.quoted).joined(separator: " and ")
        report(object.path, "expected exactly one of \(expected), found \(found)")
        return nil
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        if isAlphanumeric(byte) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}
