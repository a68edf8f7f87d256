/// Why an attempt plan left a target for the next fallback entry.
package enum FallbackReason: Hashable, Sendable, CustomStringConvertible {
    /// The outcome is a trigger and the target allows no (more) retries.
    case triggered(AttemptOutcome)
    /// The provider asked to wait longer than the request has left before its deadline.
    case waitBeyondDeadline(wait: ProxyDuration, remaining: ProxyDuration)
    /// The route's retry budget allows no retry right now.
    case retryBudgetExhausted

    /// For logs: `503`, `retry-after 30s beyond the remaining 12s`, `retry budget exhausted`.
    package var description: String {
        switch self {
        case .triggered(let outcome): outcome.description
        case .waitBeyondDeadline(let wait, let remaining): "wait \(wait.configString) beyond the remaining \(remaining.configString)"
        case .retryBudgetExhausted: "retry budget exhausted"
        }
    }
}
