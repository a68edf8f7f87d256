/// How one attempt ended, as the data plane saw it. Reported to
/// `UpstreamAttemptStateMachine.next(after:…)`.
package enum AttemptOutcome: Hashable, Sendable, CustomStringConvertible {
    /// A complete, good response (2xx, not truncated).
    case success
    /// A response head with this status, before its body is passed on. `retryAfter` is what the
    /// provider asked for (`RetryAfter.wait(in:nowEpochSeconds:)`), nil when nothing.
    case status(Int, retryAfter: ProxyDuration?)
    /// The connection could not be made (refused, DNS, TLS) or was reset before a response head.
    case connectFailure
    /// A timeout fired before the response was committed.
    case timeout(TimeoutKind)
    /// A complete response cut off at the token limit, or a stream that ended without its end
    /// marker (see `TruncationDetector`).
    case truncated
    /// The upstream connection broke after its response started (mid-body). Retried like a
    /// connect failure when nothing reached the client yet.
    case brokenAfterFirstByte
    /// The sidecar did not send the attempt (concurrency limit, queue, ejection).
    case rejected(LocalRejection)

    /// Whether an upstream request was actually sent (counts toward `maxAttempts` and `x-sluice-attempts`).
    package var wasSent: Bool {
        if case .rejected = self { return false }
        return true
    }

    /// For logs: `200`, `429 retry-after 2s`, `connect failure`, `timeout firstByte`, `rejected queueFull`.
    package var description: String {
        switch self {
        case .success: "success"
        case .status(let code, let wait?): "\(code) retry-after \(wait.configString)"
        case .status(let code, nil): "\(code)"
        case .connectFailure: "connect failure"
        case .timeout(let kind): "timeout \(kind.rawValue)"
        case .truncated: "truncated"
        case .brokenAfterFirstByte: "broken"
        case .rejected(let reason): "rejected \(reason.rawValue)"
        }
    }
}
