/// How a route retries one target before falling back (`retry`, or `defaults.retry`).
package struct RetryConfig: Hashable, Sendable {
    /// Tries per target (the primary and each fallback entry), the first included: 1 means
    /// no retry. 1 to `maxAttemptsLimit`. Default 1.
    package let attempts: Int
    /// The wait between tries of one target.
    package let backoff: BackoffConfig
    /// Wait at least what `Retry-After`, `retry-after-ms` or `x-ratelimit-reset-*` ask for.
    /// When that is longer than the request has left, fall back at once instead. Default true.
    package let honorRetryAfter: Bool
    /// Retries may be at most this share of requests over the last 10 s (0 to 100; a
    /// minimum of 10 retries per window is always allowed). Default 20.
    package let budgetPercent: Int

    /// The largest `attempts`.
    package static let maxAttemptsLimit = 10

    /// No retry; 100ms to 2s backoff; Retry-After honoured; 20 % budget.
    package static let `default` = RetryConfig(attempts: 1, backoff: .default, honorRetryAfter: true, budgetPercent: 20)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(attempts: Int, backoff: BackoffConfig = .default, honorRetryAfter: Bool = true, budgetPercent: Int = 20) {
        self.attempts = attempts
        self.backoff = backoff
        self.honorRetryAfter = honorRetryAfter
        self.budgetPercent = budgetPercent
    }
}
