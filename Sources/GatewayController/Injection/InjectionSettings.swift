import ProxyCore

/// What to inject: the sidecar image and its defaults, and the gateway config it mounts.
/// The webhook fills it from the controller's caches; `sluice-controller inject` from flags
/// and the manifests it reads.
package struct InjectionSettings: Sendable, Equatable {
    /// A Secret key the sidecar needs, and where it appears under the secrets mount.
    package struct SecretMount: Sendable, Equatable {
        package var secret: String
        package var key: String
        package var path: String
        /// The key may be missing from the Secret (a consumer key removed to rotate it).
        package var optional: Bool

        package init(secret: String, key: String, path: String, optional: Bool = false) {
            self.secret = secret
            self.key = key
            self.path = path
            self.optional = optional
        }
    }

    package var image = "ghcr.io/sluice-dev/sluice:\(InjectionSettings.version)"
    /// The container's `imagePullPolicy`; nil leaves it to Kubernetes' default.
    package var imagePullPolicy: String?
    /// The ConfigMap the controller renders for the pod's gateway (`sluice-<gateway>`).
    package var configMapName: String
    package var secretMounts: [SecretMount] = []
    package var appPort = 4000
    package var adminPort = 4001
    package var metricsPort = 4090
    package var cpuRequest = "50m"
    package var memoryRequest = "32Mi"
    package var cpuLimit = "500m"
    package var memoryLimit = "128Mi"
    package var drainTimeoutSeconds = 30

    /// What the pod's `terminationGracePeriodSeconds` must at least be: the drain timeout plus
    /// a margin for the classic sidecar's `preStop` wait and the app's own shutdown.
    package var terminationGracePeriodSeconds: Int { drainTimeoutSeconds + Self.terminationGraceMarginSeconds }

    package static let version = "0.1.0"
    package static let containerName = "sluice"
    package static let configVolume = "sluice-config"
    package static let secretsVolume = "sluice-secrets"
    /// The sidecar's one writable place (an `emptyDir`), for guard audit files (ADR 0028):
    /// `LLMGuardPolicy` refuses an `audit.file` outside `auditDirectory`.
    package static let auditVolume = "sluice-audit"
    package static let auditDirectory = "/var/log/sluice"
    /// The volume's `sizeLimit`: the kubelet evicts the pod beyond it, so the audit file must be
    /// rotated or shipped before it grows that large.
    package static let auditSizeLimit = "64Mi"
    package static let terminationGraceMarginSeconds = 15

    package init(configMapName: String) {
        self.configMapName = configMapName
    }

    /// Reads the `sluice.dev/secret-mounts` annotation the controller puts on the ConfigMap:
    /// `[{"secret": "openai", "key": "api-key", "path": "openai/api-key"}, …]`; consumer keys add
    /// `"optional": true`.
    package static func secretMounts(fromAnnotation text: String) -> [SecretMount]? {
        guard case .array(let items)? = try? JSONParser.parse(text) else { return nil }
        var mounts: [SecretMount] = []
        for item in items {
            guard case .object(let object) = item, case .string(let secret)? = object["secret"],
                  case .string(let key)? = object["key"], case .string(let path)? = object["path"] else { return nil }
            var optional = false
            if let flag = object["optional"] {
                guard case .bool(let value) = flag else { return nil }
                optional = value
            }
            mounts.append(SecretMount(secret: secret, key: key, path: path, optional: optional))
        }
        return mounts
    }
}
