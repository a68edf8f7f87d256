/// One provider endpoint a route can send to.
package struct BackendConfig: Hashable, Sendable {
    /// Unique among backends; appears in `x-sluice-backend` and metrics labels.
    package let name: String
    /// Wire protocol and credential conventions.
    package let provider: ProviderKind
    /// Where requests go: the API root, e.g. `https://api.openai.com/v1`.
    package let baseURL: BackendURL
    /// The key file and header scheme; nil for self-hosted backends without auth.
    package let credentials: CredentialsConfig?
    /// Client model name → upstream model name, applied when the split entry names no model.
    package let models: [String: String]
    /// Per-field overrides of `defaults.timeouts`.
    package let timeouts: TimeoutOverrides
    /// TLS settings; nil means system trust store, verification on.
    package let tls: TLSConfig?
    /// The most requests in flight to this backend at once; nil means unlimited.
    package let maxConcurrentRequests: Int?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, provider: ProviderKind, baseURL: BackendURL, credentials: CredentialsConfig? = nil,
                 models: [String: String] = [:], timeouts: TimeoutOverrides = .init(), tls: TLSConfig? = nil,
                 maxConcurrentRequests: Int? = nil) {
        self.name = name
        self.provider = provider
        self.baseURL = baseURL
        self.credentials = credentials
        self.models = models
        self.timeouts = timeouts
        self.tls = tls
        self.maxConcurrentRequests = maxConcurrentRequests
    }
}
