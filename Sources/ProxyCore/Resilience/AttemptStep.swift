/// What the attempt plan did after one outcome (recorded in `AttemptRecord`).
package enum AttemptStep: Hashable, Sendable, CustomStringConvertible {
    /// The response was passed to the client.
    case delivered
    /// The same target is tried again after this wait.
    case retried(after: ProxyDuration)
    /// The next fallback entry is tried, for this reason.
    case fellBack(FallbackReason)
    /// The plan gave up.
    case failed(AttemptFailure)

    /// For logs: `delivered`, `retry in 250ms`, `fallback (503)`, `failed 504`.
    package var description: String {
        switch self {
        case .delivered: "delivered"
        case .retried(let wait): "retry in \(wait.configString)"
        case .fellBack(let reason): "fallback (\(reason))"
        case .failed(let failure): "failed \(failure.status)"
        }
    }
}
