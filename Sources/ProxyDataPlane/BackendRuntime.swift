import ConfigSource
import ProxyCore
import ProxyUpstream

/// A backend as the request path uses it: everything resolved once per snapshot
/// (URL prefix, credential header, timeouts, TLS), so an attempt only assembles strings.
struct BackendRuntime: Sendable {
    let name: String
    let provider: ProviderKind
    /// The base URL without a trailing slash; the client's path after `/v1` is appended.
    let urlPrefix: String
    /// The header that carries the provider key, and its full value; nil for keyless backends.
    let credential: (name: String, value: String)?
    let models: [String: String]
    let timeouts: UpstreamTimeouts
    /// `timeouts.firstToken`: enforced by the session (a transfer knows nothing of tokens).
    let firstTokenTimeout: ProxyDuration?
    let tls: UpstreamTLS
    /// Prices per upstream model, for `sluice_cost_total`.
    let costs: CostCalculator
    /// Whether the provider speaks OpenAI's `stream_options.include_usage` (Anthropic reports
    /// usage in its own stream events instead).
    let acceptsIncludeUsage: Bool

    init(_ backend: BackendConfig, config: ProxyConfig, loaded: LoadedConfig) {
        name = backend.name
        provider = backend.provider
        var prefix = backend.baseURL.description
        while prefix.hasSuffix("/") { prefix.removeLast() }
        urlPrefix = prefix
        if let credentials = backend.credentials, let secret = loaded.credentials[backend.name] {
            credential = (credentials.header.fieldName, credentials.header.valuePrefix + secret)
        } else {
            credential = nil
        }
        models = backend.models
        let resolved = config.timeouts(for: backend)
        var timeouts = UpstreamTimeouts()
        timeouts.connect = resolved.connect
        timeouts.firstByte = resolved.firstByte
        timeouts.idle = resolved.idle
        timeouts.total = resolved.total
        self.timeouts = timeouts
        firstTokenTimeout = resolved.firstToken
        costs = CostCalculator(prices: backend.prices.compactMapValues {
            ModelPrice(input: $0.input, cachedInput: $0.cachedInput, output: $0.output, currency: $0.currency)
        })
        acceptsIncludeUsage = backend.provider != .anthropic
        tls = UpstreamTLS(caFile: loaded.caFiles[backend.name], insecureSkipVerify: backend.tls?.insecureSkipVerify ?? false)
    }

    /// The upstream URL for a client request target (`/v1/chat/completions?x=1`).
    func url(forTarget target: Substring) -> String {
        // Clients use `…/v1` as their base URL, and so do the backends' base URLs:
        // the client's `/v1` is replaced by the backend's whole base.
        if target.hasPrefix("/v1/") || target == "/v1" || target.hasPrefix("/v1?") {
            return urlPrefix + target.dropFirst(3)
        }
        return urlPrefix + target
    }
}
