import ProxyCore

/// Builds an object value keeping the members' order.
func object(_ members: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(JSONObject(members.map { (key: $0.key, value: $0.value) }))
}

func number(_ literal: String) -> JSONValue { .number(JSONNumber(literal: literal)) }

/// The value at a dotted path: `spec.containers.0.name` (numbers index arrays).
func lookup(_ value: JSONValue?, _ path: String) -> JSONValue? {
    var node = value
    for component in path.split(separator: ".") {
        switch node {
        case .object(let object)?: node = object[String(component)]
        case .array(let items)?:
            guard let index = Int(component), items.indices.contains(index) else { return nil }
            node = items[index]
        default: return nil
        }
    }
    return node
}

/// The string at a dotted path, or nil.
func string(_ value: JSONValue?, _ path: String) -> String? {
    if case .string(let text)? = lookup(value, path) { return text }
    return nil
}
