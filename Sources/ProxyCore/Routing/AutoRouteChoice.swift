/// What an `auto` model chose for a request, as the session, headers, access log and metrics
/// need it: the chosen registry entry, why, and the rest of the ranking as the fallback chain.
package struct AutoRouteChoice: Sendable {
    /// The `auto` model name the client sent.
    package let name: String
    package let reason: AutoDecision.Reason
    /// The class rule that applied, if any.
    package let matchedClass: String?
    /// The chosen registry entry (index into `ModelRegistry.entries`).
    package let entry: Int
    /// The other ranked candidates, in order: the attempt plan's fallback chain.
    package let chain: [FallbackCandidate]
    /// `x-sluice-model-reason` and the access log's `route_reason`:
    /// `cost-within-latency; class reasoning; 2 of 3 candidates` (`cost; over budget 85%; …`
    /// when the consumer's over-budget rule applied).
    package let summary: String
}

extension RouteTable {
    /// The decision for the first ranked candidate of `outcome`, and the choice; nil when no
    /// candidate is left (`outcome.ranked` is empty: answer 400 `no_capable_model`). Allocates
    /// the chain and the summary: `auto` requests only.
    package func autoRoute(_ decision: RouteDecision, auto: CompiledAutoModel, outcome: AutoDecision) -> (RouteDecision, AutoRouteChoice)? {
        guard let first = outcome.ranked.first else { return nil }
        let entry = registry.entries[first]
        let chosen = RouteDecision(routeIndex: decision.routeIndex, routeName: decision.routeName, splitIndex: decision.splitIndex,
                                   backendIndex: entry.backendIndex, backendName: entry.backendName, upstreamModel: entry.model,
                                   selection: .auto)
        let chain = outcome.ranked.dropFirst().map { index in
            let candidate = registry.entries[index]
            return FallbackCandidate(backendIndex: candidate.backendIndex, backendName: candidate.backendName, model: candidate.model,
                                     backendModels: [:])
        }
        var summary = outcome.reason.rawValue
        if case .over(let used, _) = outcome.budget { summary += "; over budget \(used)%" }
        if let matchedClass = outcome.matchedClass { summary += "; class \(matchedClass)" }
        summary += "; \(outcome.ranked.count) of \(outcome.verdicts.count) candidates"
        return (chosen, AutoRouteChoice(name: auto.name, reason: outcome.reason, matchedClass: outcome.matchedClass, entry: first,
                                        chain: Array(chain), summary: summary))
    }
}

extension AttemptPolicy {
    /// The same policy with another fallback chain (an `auto` model's ranking).
    package func replacingChain(_ chain: [FallbackCandidate]) -> AttemptPolicy {
        AttemptPolicy(chain: chain, triggers: triggers, attemptsPerTarget: attemptsPerTarget, backoff: backoff,
                      honorRetryAfter: honorRetryAfter, deadline: deadline, maxAttempts: maxAttempts)
    }
}
