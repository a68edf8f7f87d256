/// A caller of the gateway with its own keys, model rights, rate limits and quotas (`consumers[]`).
package struct ConsumerConfig: Hashable, Sendable {
    /// Unique among consumers; `anonymous` is reserved. The `consumer` label and the access log say it.
    package let name: String
    /// A directory relative to the secrets directory: every file in it whose name does not
    /// start with `.` holds one key (a Kubernetes Secret mounted as a directory). Read at load
    /// and on every secrets change; only the keys' SHA-256 digests are kept.
    package let keysDirectory: String
    /// Globs of the client models this consumer may ask for; nil: every model.
    package let allowedModels: [String]?
    /// Requests per window; none set: unlimited.
    package let rateLimits: RequestRateLimits
    /// Tokens per window (in `rateLimits` too); none set: unlimited.
    package let tokenLimits: TokenRateLimits
    /// Tokens and spend per UTC day and month; none set: unlimited.
    package let quotas: ConsumerQuotas
    /// The output tokens reserved at admission for a request that sets no `max_tokens` or
    /// `max_completion_tokens` (settled with the real usage when it ends).
    package let estimatedOutputTokens: Int
    /// What a stream does when a token limit or quota runs out while it flows.
    package let midStreamExhaustion: MidStreamExhaustion
    /// The priority class (one of `defaults.priorities.levels`) of this party's requests: its
    /// class without `x-sluice-priority`, and the highest the header can ask for (a higher one is
    /// capped to it). Nil: the gateway's default class, and the header chooses any class.
    package let priority: String?
    /// Extra limits for the models a pattern matches, counted on top of these (`models[]`).
    package let models: [ModelLimitsConfig]

    package static let defaultEstimatedOutputTokens = 256
    /// The name requests without a consumer go by (label, access log, anonymous limits); reserved.
    package static let anonymousName = "anonymous"

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, keysDirectory: String, allowedModels: [String]? = nil, rateLimits: RequestRateLimits = .init(),
                 tokenLimits: TokenRateLimits = .init(), quotas: ConsumerQuotas = .init(),
                 estimatedOutputTokens: Int = Self.defaultEstimatedOutputTokens, midStreamExhaustion: MidStreamExhaustion = .cut,
                 priority: String? = nil, models: [ModelLimitsConfig] = []) {
        self.name = name
        self.keysDirectory = keysDirectory
        self.allowedModels = allowedModels
        self.rateLimits = rateLimits
        self.tokenLimits = tokenLimits
        self.quotas = quotas
        self.estimatedOutputTokens = estimatedOutputTokens
        self.midStreamExhaustion = midStreamExhaustion
        self.priority = priority
        self.models = models
    }

    /// Whether the consumer has token limits or quotas (then its requests reserve tokens).
    package var metersTokens: Bool { !tokenLimits.windows.isEmpty || !quotas.isEmpty }
}
