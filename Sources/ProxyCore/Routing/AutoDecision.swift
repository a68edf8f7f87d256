/// An `auto` model's choice for one request: the candidates in the order to try them, and
/// what happened to every registry entry it considered (for explain).
package struct AutoDecision: Sendable {
    /// Why the first candidate leads.
    package enum Reason: String, Sendable {
        /// The strategy's ranking.
        case cost, latency
        case costWithinLatency = "cost-within-latency"
        /// Every capable candidate was ejected or slow: they are tried anyway, ranked.
        case degraded
        /// No candidate can serve the request (context, output or capability).
        case noCandidate = "no-candidate"
    }

    /// One registry entry as the decision saw it.
    package struct Verdict: Hashable, Sendable {
        /// Index into `ModelRegistry.entries`.
        package let entry: Int
        /// The estimated cost of this request there; nil without a price.
        package let estimatedCost: Double?
        package let figures: LatencyFigures?
        /// Nil: a candidate (see `AutoDecision.ranked` for its place).
        package let exclusion: CandidateExclusion?
    }

    /// Registry entry indices, best first: the first is the target, the rest the fallback chain.
    package let ranked: [Int]
    /// Every considered entry, in the `auto` model's candidate order.
    package let verdicts: [Verdict]
    /// The class rule that applied, if any.
    package let matchedClass: String?
    package let reason: Reason
    /// Where the consumer stands against the `auto` model's `overBudget` rule; nil: the model
    /// has no such rule, or the consumer no quotas.
    package let budget: Budget?

    /// A consumer's quota use as the `overBudget` rule saw it.
    package enum Budget: Hashable, Sendable {
        /// Below the rule's threshold: nothing changed.
        case within(usedPercent: Int)
        /// At or past it: `rule` restricted tiers and/or changed the strategy.
        case over(usedPercent: Int, rule: OverBudgetConfig)

        package var usedPercent: Int {
            switch self {
            case .within(let used), .over(let used, _): used
            }
        }
    }
}
