/// Why an `auto` model left a registry entry out of a request's candidates.
package enum CandidateExclusion: Hashable, Sendable {
    /// Prompt estimate plus requested output plus margin exceed the context window.
    case context(needed: Int, window: Int)
    /// The request asks for more output tokens than the model produces.
    case output(requested: Int, max: Int)
    /// The request needs a capability the model lacks.
    case capability(ModelCapability)
    /// The request's class requires tags or a tier the model lacks.
    case classRule(String)
    /// The consumer is over budget and the model's tier is above the `overBudget` rule's `maxTier`.
    case budget(tier: Int, maxTier: Int)
    /// The backend is ejected (its circuit breaker is open).
    case breaker
    /// The live p95 time to first token is over the strategy's threshold.
    case latency(p95: ProxyDuration, max: ProxyDuration)

    /// Whether the candidate could still serve the request (only its health or speed is in
    /// question): such candidates are used when no better one is left.
    package var isSoft: Bool {
        switch self {
        case .budget, .breaker, .latency: true
        default: false
        }
    }

    /// For explain and logs: `context: needs 140000 tokens, window 128000`.
    package var description: String {
        switch self {
        case .context(let needed, let window): "context: needs \(needed) tokens, window \(window)"
        case .output(let requested, let max): "output: \(requested) tokens requested, model produces at most \(max)"
        case .capability(let capability): "capability: needs \(capability.rawValue)"
        case .classRule(let name): "class: \(ConfigIssue.quoted(name)) requires other tags or a higher tier"
        case .budget(let tier, let maxTier): "budget: tier \(tier) above \(maxTier) while the consumer is over budget"
        case .breaker: "breaker: backend ejected"
        case .latency(let p95, let max): "latency: p95 \(p95.milliseconds)ms over \(max.milliseconds)ms"
        }
    }
}
