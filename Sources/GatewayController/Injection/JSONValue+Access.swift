import ProxyCore

/// Small accessors for editing Kubernetes objects held as `JSONValue`.
extension JSONValue {
    var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The value at `path` of object keys, or nil when any step is missing or not an object.
    func value(at path: [String]) -> JSONValue? {
        var current = self
        for key in path {
            guard let next = current.objectValue?[key] else { return nil }
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
        var object = objectValue ?? JSONObject()
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
