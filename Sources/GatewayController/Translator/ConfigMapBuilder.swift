import ProxyCore

/// Builds the ConfigMap a gateway's sidecars mount: `config.json` (canonical JSON), labels
/// that mark it as the controller's, the Secret keys to mount (for the injector) and an
/// owner reference so deleting the gateway deletes it.
package enum ConfigMapBuilder {
    package static let configKey = "config.json"
    package static let managedByLabel = "app.kubernetes.io/managed-by"
    package static let managedByValue = "sluice-controller"
    package static let gatewayLabel = "sluice.dev/gateway"
    /// JSON: `[{"secret","key","path"}]`, sorted by path; the injector turns it into a
    /// projected volume mounted at the sidecar's secrets directory.
    package static let secretMountsAnnotation = "sluice.dev/secret-mounts"
    /// Which controller replica wrote this version (the leader); for audits and tests.
    package static let writtenByAnnotation = "sluice.dev/written-by"

    /// The ConfigMap for `rendered`, or nil when the gateway has no valid config.
    /// `identity` (the writing replica) is recorded only by `run`, never by `render`.
    package static func configMap(_ rendered: RenderedGateway, identity: String? = nil) -> JSONValue? {
        guard let configJSON = rendered.configJSON else { return nil }
        let gateway = rendered.gateway.meta
        var annotations: [(String, JSONValue)] = [(secretMountsAnnotation, .str(secretMountsJSON(rendered.secretMounts)))]
        if let identity { annotations.append((writtenByAnnotation, .str(identity))) }
        var metadata: [(String, JSONValue)] = [
            ("name", .str(rendered.configMapName)),
            ("namespace", .str(gateway.namespace)),
            ("labels", .obj([(managedByLabel, .str(managedByValue)), (gatewayLabel, .str(gateway.name))])),
            ("annotations", .obj(annotations)),
        ]
        if !gateway.uid.isEmpty {
            metadata.append(("ownerReferences", .array([.obj([
                ("apiVersion", .str(ResourceKind.gateway.apiVersion)), ("kind", .str(ResourceKind.gateway.kind)),
                ("name", .str(gateway.name)), ("uid", .str(gateway.uid)),
                ("controller", .bool(true)), ("blockOwnerDeletion", .bool(true)),
            ])])))
        }
        return .obj([("apiVersion", .str("v1")), ("kind", .str("ConfigMap")), ("metadata", .obj(metadata)),
                     ("data", .obj([(configKey, .str(configJSON))]))])
    }

    /// The `sluice.dev/secret-mounts` annotation value (compact, canonical JSON).
    package static func secretMountsJSON(_ mounts: [SecretMount]) -> String {
        JSONWriter.write(.array(mounts.sorted().map(\.jsonValue)), options: [.canonical]).utf8String
    }

    /// Whether `existing` (as read from the API) already carries what `desired` sets: data,
    /// our labels and annotations, and owner references. Other fields (added by others) are ignored.
    package static func isUpToDate(_ existing: JSONValue, desired: JSONValue) -> Bool {
        guard existing.field("data") == desired.field("data") else { return false }
        let have = existing.field("metadata"), want = desired.field("metadata")
        for field in ["labels", "annotations"] {
            // Who wrote it last is a record, not desired state: a new leader need not rewrite.
            for member in want?.field(field)?.object?.members ?? [] where member.key != writtenByAnnotation
                && have?.field(field)?.field(member.key) != member.value {
                return false
            }
        }
        return have?.field("ownerReferences") == want?.field("ownerReferences")
    }
}
