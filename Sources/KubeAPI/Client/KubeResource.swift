/// A kind of object the API serves, addressed by group, version and plural name, with the
/// REST paths for it.
///
/// Core resources have the empty group and live under `/api/v1`; everything else under
/// `/apis/{group}/{version}`.
package struct KubeResource: Hashable, Sendable {
    package var group: String
    package var version: String
    package var plural: String

    package init(group: String, version: String, plural: String) {
        self.group = group
        self.version = version
        self.plural = plural
    }

    package static let configMaps = KubeResource(group: "", version: "v1", plural: "configmaps")
    package static let secrets = KubeResource(group: "", version: "v1", plural: "secrets")
    package static let events = KubeResource(group: "", version: "v1", plural: "events")
    package static let leases = KubeResource(group: "coordination.k8s.io", version: "v1", plural: "leases")

    /// A `sluice.dev/v1alpha1` custom resource, e.g. `.sluice("llmroutes")`.
    package static func sluice(_ plural: String) -> KubeResource {
        KubeResource(group: "sluice.dev", version: "v1alpha1", plural: plural)
    }

    /// `apiVersion` as objects spell it: `v1` or `group/version`.
    package var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The collection path (`namespace` nil: across all namespaces, or a cluster-scoped
    /// resource), or an object's path when `name` is given, or its subresource's.
    package func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace { path += "/namespaces/" + PercentEncoding.pathSegment(namespace) }
        path += "/" + plural
        if let name {
            path += "/" + PercentEncoding.pathSegment(name)
            if let subresource { path += "/" + subresource }
        }
        return path
    }
}
