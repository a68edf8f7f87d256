import ProxyCore

/// An object's identity within one resource: namespace (empty when cluster-scoped) and name.
package struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var namespace: String
    package var name: String

    package init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of an object from its `metadata`, or nil when it has no name.
    package init?(of object: JSONValue) {
        guard let metadata = object.member("metadata"), let name = metadata.member("name")?.stringValue else { return nil }
        self.init(namespace: metadata.member("namespace")?.stringValue ?? "", name: name)
    }

    package static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    /// `namespace/name`, or `name` when cluster-scoped.
    package var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}
