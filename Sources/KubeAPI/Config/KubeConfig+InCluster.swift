import ProxyIO

extension KubeConfig {
    /// The mount point of a pod's service-account token, CA bundle and namespace.
    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The in-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`,
    /// the service account's `token` (re-read when rotated), `ca.crt` and `namespace`.
    package static func inCluster(
        environment: (String) -> String? = Environment.get,
        serviceAccountDirectory directory: String = serviceAccountDirectory
    ) throws(KubeConfigError) -> KubeConfig {
        guard let host = environment("KUBERNETES_SERVICE_HOST"), !host.isEmpty,
              let port = environment("KUBERNETES_SERVICE_PORT"), !port.isEmpty
        else { throw KubeConfigError("not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set") }
        let token = BearerTokenSource(file: directory + "/token")
        guard token.token() != nil else { throw KubeConfigError("cannot read the service-account token \(directory)/token") }
        let namespace = FileBytes.read(directory + "/namespace", maxBytes: 1024)
            .map { String(decoding: $0, as: UTF8.self).filter { !$0.isWhitespace } }
        // An IPv6 literal needs brackets in a URL (RFC 3986 section 3.2.2).
        let authority = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(server: "https://\(authority):\(port)", certificateAuthority: .file(directory + "/ca.crt"),
                          token: token, namespace: namespace?.isEmpty == false ? namespace! : "default")
    }
}
