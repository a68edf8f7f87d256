import ProxyCore

/// How to reach and authenticate to one API server: the result of reading a kubeconfig or
/// the in-cluster service account (`KubeConfig+Kubeconfig.swift`, `KubeConfig+InCluster.swift`).
///
/// An immutable value apart from the token source, which re-reads its file when it rotates.
package struct KubeConfig: Sendable {
    /// `https://host:port` (or `http://` for tests), without a trailing slash.
    package var server: String
    /// CA bundle that signs the server's certificate; nil means the system's bundle.
    package var certificateAuthority: TLSMaterial?
    /// Skip verifying the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    package var insecureSkipTLSVerify: Bool
    /// Bearer token, if the user authenticates with one.
    package var token: BearerTokenSource?
    /// Client certificate and key, if the user authenticates with them.
    package var clientCertificate: TLSMaterial?
    package var clientKey: TLSMaterial?
    /// The namespace of the context or of the service account; `default` when unset.
    package var namespace: String

    package init(server: String, certificateAuthority: TLSMaterial? = nil, insecureSkipTLSVerify: Bool = false,
                 token: BearerTokenSource? = nil, clientCertificate: TLSMaterial? = nil, clientKey: TLSMaterial? = nil,
                 namespace: String = "default") {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.token = token
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.namespace = namespace
    }

    /// Picks the configuration the way controllers usually do: `KUBECONFIG` when set (its
    /// first path: merging several files is not supported), else the in-cluster service
    /// account when `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    package static func loadDefault(environment: (String) -> String? = Environment.get) throws(KubeConfigError) -> KubeConfig {
        if let list = environment("KUBECONFIG"), let first = list.split(separator: ":").first {
            return try load(file: String(first))
        }
        if environment("KUBERNETES_SERVICE_HOST") != nil {
            return try inCluster(environment: environment)
        }
        guard let home = environment("HOME") else { throw KubeConfigError("no KUBECONFIG, not in a cluster, and no HOME for ~/.kube/config") }
        return try load(file: home + "/.kube/config")
    }
}
