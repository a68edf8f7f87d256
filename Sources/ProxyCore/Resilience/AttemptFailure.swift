/// Why an attempt plan gives up without a response to deliver; the data plane answers with
/// its own error (or, after the first byte, ends the stream with an error event).
///
/// Says who failed (STYLE rule 8): the provider (`upstream`, `committed`) or the sidecar's
/// own limits (`deadlineExceeded`, `overloaded`).
package enum AttemptFailure: Hashable, Sendable {
    /// The last attempt failed without a response (connect failure, timeout, broken), and no
    /// retry or fallback is left. 502, or 504 for a timeout; the data plane names the failure
    /// precisely (`upstream_connect`, `upstream_tls`, …).
    case upstream(AttemptOutcome)
    /// The attempt failed after bytes reached the client: nothing can be retried.
    case committed(AttemptOutcome)
    /// The request's deadline passed before any response could be delivered. 504 `deadline_exceeded`.
    case deadlineExceeded
    /// Every candidate was rejected by the sidecar's own limits. 503 `backend_overloaded` with
    /// `Retry-After: retryAfter` (rounded up to whole seconds).
    case overloaded(retryAfter: ProxyDuration)

    /// The HTTP status to answer with, when the head has not been sent yet.
    package var status: Int {
        switch self {
        case .upstream(.timeout), .committed(.timeout), .deadlineExceeded: 504
        case .upstream, .committed: 502
        case .overloaded: 503
        }
    }

    /// The stable error `code` for the sidecar's own limits; nil for provider failures, which
    /// the data plane names from its transfer error.
    package var code: String? {
        switch self {
        case .deadlineExceeded: "deadline_exceeded"
        case .overloaded: "backend_overloaded"
        case .upstream, .committed: nil
        }
    }
}
