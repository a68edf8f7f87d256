/// A parsed JSON document (RFC 8259), as a tree of values.
///
/// Used off the hot path (config, controller, tests). The request path reads bodies
/// with `JSONFieldScanner` instead, which builds no tree.
package enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON number kept as its literal text, so no precision is lost on the way through.
package struct JSONNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number exactly as written in the document (already validated against RFC 8259's grammar).
    package var literal: String

    package init(literal: String) { self.literal = literal }

    package init(_ value: Int) { self.literal = String(value) }

    /// The value as an integer, or nil when it has a fraction, an exponent, or does not fit.
    package var int: Int? { Int(literal) }

    /// The value as a double (may round).
    package var double: Double? { Double(literal) }

    package var description: String { literal }
}

/// A JSON object: members in document order, looked up by key.
///
/// Order is kept so that error messages and round trips follow the source; canonical
/// output (sorted keys) is the writer's choice, not the value's.
package struct JSONObject: Hashable, Sendable {
    package var members: [(key: String, value: JSONValue)]

    package init(_ members: [(key: String, value: JSONValue)] = []) { self.members = members }

    /// The value of the first member named `key`, or nil.
    package subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    package var keys: [String] { members.map(\.key) }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        for member in members {
            hasher.combine(member.key)
            hasher.combine(member.value)
        }
    }
}
