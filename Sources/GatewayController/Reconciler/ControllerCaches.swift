import KubeAPI
import ProxyCore

/// The informers the reconciler reads: the five CRDs, Secrets (key names only), and the
/// ConfigMaps the controller manages (by label). Every change is reported as a namespace-wide key
/// (`namespace/""`) except gateways, reported as `namespace/gateway`.
package final class ControllerCaches: Sendable {
    package let informers: [ResourceKind: Informer]
    package let configMaps: Informer

    package init(client: KubeClient, namespace: String?, watchTimeoutSeconds: Int = 300, onChange: @escaping @Sendable (ObjectKey) -> Void) {
        var informers: [ResourceKind: Informer] = [:]
        for kind in ResourceKind.allCases {
            // Only a Secret's key names are read: its values are never kept in memory.
            let keepsKeyNamesOnly = kind == .secret
            let transform: Informer.Transform = { object in keepsKeyNamesOnly ? SecretInfo.withoutValues(object) : object }
            informers[kind] = Informer(client: client, resource: kind.resource, namespace: namespace, watchTimeoutSeconds: watchTimeoutSeconds,
                                       transform: transform) { key in
                onChange(kind == .gateway ? key : ObjectKey(namespace: key.namespace, name: ""))
            }
        }
        self.informers = informers
        configMaps = Informer(client: client, resource: .configMaps, namespace: namespace,
                              labelSelector: "\(ConfigMapBuilder.managedByLabel)=\(ConfigMapBuilder.managedByValue)",
                              watchTimeoutSeconds: watchTimeoutSeconds) { key in
            onChange(ObjectKey(namespace: key.namespace, name: ""))
        }
    }

    /// Lists and watches every resource until the calling task is cancelled.
    package func run() async {
        await withTaskGroup(of: Void.self) { group in
            for informer in Array(informers.values) + [configMaps] {
                group.addTask { await informer.run() }
            }
        }
    }

    /// True once every informer has listed.
    package var hasSynced: Bool { informers.values.allSatisfy(\.hasSynced) && configMaps.hasSynced }

    /// The cached objects of `kind` in `namespace`.
    package func objects(_ kind: ResourceKind, in namespace: String) -> [JSONValue] {
        informers[kind]!.objects().filter { $0.field("metadata")?.field("namespace")?.string == namespace }
    }

    /// Every cached object the translator reads in `namespace`, gateways first.
    package func resourceObjects(in namespace: String) -> [JSONValue] {
        ResourceKind.allCases.flatMap { objects($0, in: namespace) }
    }

    /// The managed ConfigMaps in `namespace`.
    package func managedConfigMaps(in namespace: String) -> [JSONValue] {
        configMaps.objects().filter { $0.field("metadata")?.field("namespace")?.string == namespace }
    }

    /// Every namespace holding a cached object (for a full resync).
    package var namespaces: [String] {
        var names = Set<String>()
        for informer in Array(informers.values) + [configMaps] {
            for object in informer.objects() { if let namespace = object.field("metadata")?.field("namespace")?.string { names.insert(namespace) } }
        }
        return names.sorted()
    }
}
