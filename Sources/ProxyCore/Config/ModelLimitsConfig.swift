/// A consumer's own limits for the models one pattern matches (`consumers[].models[]`): extra
/// caps counted on meters of their own, on top of the consumer's limits (ADR 0030). A request
/// for a matching model is counted against both; the first override that matches is the one.
package struct ModelLimitsConfig: Hashable, Sendable {
    /// A client model name or glob, the syntax of `allowedModels` (`*` any run, `?` one byte).
    package let match: String
    package let rateLimits: RequestRateLimits
    package let tokenLimits: TokenRateLimits
    package let quotas: ConsumerQuotas

    /// At most this many overrides per consumer (each adds metric series and Redis keys).
    package static let maxPerConsumer = 16

    package init(match: String, rateLimits: RequestRateLimits = .init(), tokenLimits: TokenRateLimits = .init(),
                 quotas: ConsumerQuotas = .init()) {
        self.match = match
        self.rateLimits = rateLimits
        self.tokenLimits = tokenLimits
        self.quotas = quotas
    }

    /// What names the override's limits: `models[<match>].` before a limit's field, in the admin
    /// endpoints, the `limit` label of the quota gauges and the Redis counter names.
    package var scope: String { Self.scope(match) }

    /// `models[<match>].`
    package static func scope(_ match: String) -> String { "models[\(match)]." }

    /// The override's limits as a party of `consumer` (its name, output estimate and stream
    /// behaviour; these limits only), which the limiters are made from and carried by.
    package func party(of consumer: ConsumerConfig) -> ConsumerConfig {
        ConsumerConfig(name: consumer.name, keysDirectory: consumer.keysDirectory, rateLimits: rateLimits, tokenLimits: tokenLimits,
                       quotas: quotas, estimatedOutputTokens: consumer.estimatedOutputTokens,
                       midStreamExhaustion: consumer.midStreamExhaustion)
    }

    /// Whether it sets no limit at all (refused: it would only look like a cap).
    package var isEmpty: Bool { rateLimits.windows.isEmpty && tokenLimits.windows.isEmpty && quotas.isEmpty }
}
