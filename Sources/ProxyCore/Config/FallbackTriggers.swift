/// Which attempt outcomes are retried and then fall back (`fallback.on`, or `defaults.fallbackOn`).
///
/// Anything else is final: a status that matches no entry is delivered as it is, a connect
/// failure or timeout that is not a trigger becomes the sidecar's own error.
package struct FallbackTriggers: Hashable, Sendable {
    /// Response statuses that trigger, e.g. `[429, "5xx"]`. May be empty.
    package let statuses: [StatusMatch]
    /// Connection refused, reset, DNS or TLS failure before the response is committed.
    package let connectFailure: Bool
    /// Connect, first-byte or idle timeouts.
    package let timeout: Bool
    /// A response cut off at the token limit (see `TruncationDetector`); never retried on the
    /// same target, only sent to the next fallback.
    package let truncation: Bool

    /// `[429, "5xx"]`, connect failures and timeouts; not truncation.
    package static let `default` = FallbackTriggers(statuses: [.code(429), .statusClass(5)], connectFailure: true,
                                                    timeout: true, truncation: false)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(statuses: [StatusMatch], connectFailure: Bool, timeout: Bool, truncation: Bool) {
        self.statuses = statuses
        self.connectFailure = connectFailure
        self.timeout = timeout
        self.truncation = truncation
    }

    /// Whether a response with `status` triggers a retry or fallback.
    package func matches(status: Int) -> Bool {
        statuses.contains { $0.matches(status) }
    }
}
