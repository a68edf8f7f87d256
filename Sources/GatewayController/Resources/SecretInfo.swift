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

    /// A Secret as the informer cache keeps it: identity, resourceVersion and key names, each
    /// key with an empty value. Values are dropped, and so are annotations, which may hold them
    /// (`kubectl apply` stores the whole object in `last-applied-configuration`).
    package static func withoutValues(_ secret: JSONValue) -> JSONValue {
        let metadata = secret.field("metadata")?.object ?? JSONObject()
        let identity = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp"]
        return .obj([
            ("apiVersion", secret.field("apiVersion") ?? .str("v1")),
            ("kind", secret.field("kind") ?? .str("Secret")),
            ("metadata", .object(JSONObject(metadata.members.filter { identity.contains($0.key) }))),
            ("data", .obj(decodeKeys(secret).map { ($0, .str("")) })),
        ])
    }
}
