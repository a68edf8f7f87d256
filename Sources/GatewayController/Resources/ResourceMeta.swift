import ProxyCore

/// The part of `metadata` the controller uses. Everything else in `metadata` (annotations,
/// managedFields, finalizers…) is ignored, as the API server owns it.
package struct ResourceMeta: Hashable, Sendable {
    package var name: String
    package var namespace: String
    /// Empty for objects read from files (`render`), which have none yet.
    package var uid: String
    /// 0 for objects read from files.
    package var generation: Int
    package var resourceVersion: String
    package var labels: [String: String]
    /// RFC 3339, or empty for objects read from files (route precedence then falls back to names).
    package var creationTimestamp: String

    package init(name: String, namespace: String, uid: String = "", generation: Int = 0, resourceVersion: String = "",
                 labels: [String: String] = [:], creationTimestamp: String = "") {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.generation = generation
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.creationTimestamp = creationTimestamp
    }

    /// Reads `metadata`; a missing namespace becomes `defaultNamespace` (files applied with
    /// `kubectl apply -n NS` carry none).
    static func decode(_ value: JSONValue?, defaultNamespace: String, decoding: inout SpecDecoding) -> ResourceMeta? {
        guard let value else {
            decoding.report("metadata", "required field is missing")
            return nil
        }
        guard case .object(let members) = value else {
            decoding.report("metadata", "expected an object, found \(SpecDecoding.found(value))")
            return nil
        }
        guard let name = decoding.objectName(members["name"], at: "metadata.name") else {
            if members["name"] == nil { decoding.report("metadata.name", "required field is missing") }
            return nil
        }
        var meta = ResourceMeta(name: name, namespace: defaultNamespace)
        if let namespace = members["namespace"] {
            guard let text = decoding.objectName(namespace, at: "metadata.namespace", maxLength: 63) else { return nil }
            meta.namespace = text
        }
        meta.uid = members["uid"]?.string ?? ""
        meta.generation = members["generation"]?.int ?? 0
        meta.resourceVersion = members["resourceVersion"]?.string ?? ""
        meta.creationTimestamp = members["creationTimestamp"]?.string ?? ""
        if let labels = members["labels"]?.object {
            for member in labels.members { meta.labels[member.key] = member.value.string ?? "" }
        }
        return meta
    }
}
