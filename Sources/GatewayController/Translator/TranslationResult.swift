import ProxyCore

/// A Secret key a sidecar must mount, and where: `path` under the secrets directory.
package struct SecretMount: Hashable, Sendable, Comparable {
    package var secret: String
    package var key: String
    package var path: String
    /// A key that may disappear from its Secret (a consumer's key, removed to rotate it): the
    /// injector marks its projected source optional, so the removal never breaks the volume.
    package var optional = false

    package init(secret: String, key: String) {
        self.secret = secret
        self.key = key
        self.path = "\(secret)/\(key)"
    }

    /// A consumer's key, at `directory/key` (its `keysDirectory`); optional.
    package init(consumerKey key: String, of secret: String, in directory: String) {
        self.secret = secret
        self.key = key
        self.path = "\(directory)/\(key)"
        optional = true
    }

    package static func < (lhs: SecretMount, rhs: SecretMount) -> Bool { lhs.path < rhs.path }

    /// What exists in the secrets directory once `mounts` are mounted: each file and every
    /// directory above it (a consumer's `keysDirectory`).
    package static func pathsAndDirectories(_ mounts: [SecretMount]) -> Set<String> {
        var paths = Set<String>()
        for mount in mounts {
            var path = mount.path[...]
            paths.insert(String(path))
            while let slash = path.lastIndex(of: "/") {
                path = path[..<slash]
                paths.insert(String(path))
            }
        }
        return paths
    }

    package var jsonValue: JSONValue {
        .obj([("key", .str(key))] + (optional ? [("optional", .bool(true))] : []) + [("path", .str(path)), ("secret", .str(secret))])
    }
}

/// What one gateway renders to.
package struct RenderedGateway: Sendable {
    package var gateway: LLMGateway
    package var configMapName: String
    /// The validated config, or nil when the gateway has nothing valid to serve (see its
    /// `Programmed` condition); then no ConfigMap is written and an existing one is kept.
    package var config: ProxyConfig?
    /// `config` as canonical JSON (sorted keys, two-space indent, final newline).
    package var configJSON: String?
    /// The Secret keys the config's `credentials.file` and `tls.caFile` name.
    package var secretMounts: [SecretMount]
    /// Accepted LLMRoutes attached to the gateway.
    package var attachedRoutes: Int
    /// Distinct LLMBackends in the config.
    package var backendCount: Int

    package var id: ResourceID { ResourceID(.gateway, gateway.meta.namespace, gateway.meta.name) }
}

/// The status the translator wants one resource to have.
package struct DesiredStatus: Sendable {
    package var id: ResourceID
    package var generation: Int
    package var conditions: [DesiredCondition]
    /// Other `status` fields (`configMapName`, `attachedRoutes`, `backends`, `keys`), sorted by key.
    package var fields: [(key: String, value: JSONValue)]
    /// The gateways whose ConfigMaps hold this resource (its `Programmed` depends on their writes).
    package var gateways: [String] = []
}

/// Everything the translator produced from a `ResourceSet`.
package struct Translation: Sendable {
    /// One per LLMGateway that could be read, ordered by namespace and name.
    package var gateways: [RenderedGateway] = []
    /// One per resource (rejected ones included), ordered by namespace, kind and name.
    package var statuses: [DesiredStatus] = []
    /// Every error, ordered by resource; what `validate` prints and exits 1 on.
    package var problems: [TranslationProblem] = []
    /// Fields the proxy config cannot express yet (the `NotYetTranslated` conditions).
    package var warnings: [TranslationProblem] = []
    /// Objects without a usable kind or name.
    package var unnamedProblems: [String] = []
}
