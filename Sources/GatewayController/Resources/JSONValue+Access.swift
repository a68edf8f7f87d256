import ProxyCore

// Small readers for Kubernetes objects held as `JSONValue`; internal to GatewayController.
extension JSONValue {
    /// The member named `key` when this is an object.
    func field(_ key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The string, when this is a string.
    var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// The integer, when this is a number without fraction.
    var int: Int? {
        guard case .number(let number) = self else { return nil }
        return number.int
    }

    /// The members, when this is an object.
    var object: JSONObject? {
        guard case .object(let object) = self else { return nil }
        return object
    }

    /// The elements, when this is an array.
    var array: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// An object value from `(key, value)` pairs in the given order.
    static func obj(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members.map { (key: $0.0, value: $0.1) }))
    }

    /// `text` as a string value.
    static func str(_ text: String) -> JSONValue { .string(text) }

    /// An integer number value.
    static func num(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }

    /// The value at `path` of object keys, or nil when any step is missing or not an object.
    func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard let next = current.object?[key] else { return nil }
            current = next
        }
        return current
    }

    /// Sets the value at `path`, creating objects along the way; nil removes the last key.
    mutating func setValue(_ value: JSONValue?, at path: [String]) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        var object = self.object ?? JSONObject()
        if path.count == 1 {
            object[first] = value
        } else {
            var child = object[first] ?? .object(JSONObject())
            child.setValue(value, at: Array(path.dropFirst()))
            object[first] = child
        }
        self = .object(object)
    }

}

extension Array where Element == UInt8 {
    /// The bytes as UTF-8 text.
    var utf8String: String { String(decoding: self, as: UTF8.self) }
}
