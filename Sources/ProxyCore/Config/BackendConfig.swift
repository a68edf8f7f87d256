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
    /// Requests waiting for a slot when `maxConcurrentRequests` are in flight; `QueueConfig.none` by default.
    package let queue: QueueConfig
    /// Ejection on failures; nil: never ejected.
    package let circuitBreaker: CircuitBreakerConfig?
    /// Weight reduction while slow; nil: never shifted.
    package let latencyShift: LatencyShiftConfig?
    /// Keep-alive pings while idle; nil: none.
    package let warmup: WarmupConfig?
    /// The context window of the backend's models, in tokens; informational (explain, fallback planning).
    package let contextWindow: Int?
    /// Upstream model name → price per 1M tokens, for cost accounting.
    package let prices: [String: ModelPriceConfig]
    /// `max_tokens` sent to an Anthropic backend when a translated OpenAI request names none;
    /// nil: `standardDefaultMaxTokens`. Anthropic backends only.
    package let defaultMaxTokens: Int?
    /// Azure OpenAI deployments and API version (`azure-openai` backends only); nil: the
    /// base URL is used as for any OpenAI-style backend.
    package let azure: AzureConfig?

    /// `defaultMaxTokens` when the config names none.
    package static let standardDefaultMaxTokens = 4096
    /// The largest `defaultMaxTokens` accepted.
    package static let maxDefaultMaxTokens = 1_000_000
    /// Upstream model name → what the registry knows of it, for `auto` routes (`docs/routing.md`).
    package let modelInfo: [String: ModelInfoConfig]

    /// The largest `contextWindow` accepted.
    package static let maxContextWindow = 100_000_000

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, provider: ProviderKind, baseURL: BackendURL, credentials: CredentialsConfig? = nil,
                 models: [String: String] = [:], timeouts: TimeoutOverrides = .init(), tls: TLSConfig? = nil,
                 maxConcurrentRequests: Int? = nil, queue: QueueConfig = .none, circuitBreaker: CircuitBreakerConfig? = nil,
                 latencyShift: LatencyShiftConfig? = nil, warmup: WarmupConfig? = nil, contextWindow: Int? = nil,
                 prices: [String: ModelPriceConfig] = [:], defaultMaxTokens: Int? = nil,
                 azure: AzureConfig? = nil, modelInfo: [String: ModelInfoConfig] = [:]) {
        self.name = name
        self.provider = provider
        self.baseURL = baseURL
        self.credentials = credentials
        self.models = models
        self.timeouts = timeouts
        self.tls = tls
        self.maxConcurrentRequests = maxConcurrentRequests
        self.queue = queue
        self.circuitBreaker = circuitBreaker
        self.latencyShift = latencyShift
        self.warmup = warmup
        self.contextWindow = contextWindow
        self.prices = prices
        self.defaultMaxTokens = defaultMaxTokens
        self.azure = azure
        self.modelInfo = modelInfo
    }
}
