import ProxyCore

/// What the controller knows of a Secret: its name and the names of its keys (`data` and
/// `stringData`). Values are never read, kept or copied.
package struct SecretInfo: Hashable, Sendable {
    package var meta: ResourceMeta
    package var keys: [String]

    static func decodeKeys(_ object: JSONValue) -> [String] {
        var keys = Set<String>()
        for field in ["data", "stringData"] {
            for member in object.field(field)?.object?.members ?? [] { keys.insert(member.key) }
        }
        return keys.sorted()
    }
}
