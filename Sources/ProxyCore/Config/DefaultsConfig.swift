/// Settings that apply to every backend and request unless overridden.
package struct DefaultsConfig: Hashable, Sendable {
    /// The largest request body accepted, in bytes (default 8 MiB, at most 1 GiB).
    package let maxRequestBodyBytes: Int
    /// The most bytes of request bodies and held responses buffered at once by the whole
    /// process, as configured; nil means `bufferBudgetBytes`' default.
    package let maxBufferedBytes: Int?
    /// Upstream timeouts; each backend may override single fields.
    package let timeouts: TimeoutsConfig
    /// Retries for routes without their own `retry`.
    package let retry: RetryConfig
    /// The per-request time budget for routes without their own `deadline`. Default 120s.
    package let deadline: ProxyDuration
    /// The most upstream requests per client request, for routes without their own. Default 5.
    package let maxAttempts: Int
    /// What retries and falls back, for routes whose `fallback` has no `on`.
    package let fallbackOn: FallbackTriggers
    /// Priority classes for backend queues; nil: every request has the same priority.
    package let priorities: PriorityConfig?

    /// 8 MiB, when the config does not say.
    package static let defaultMaxRequestBodyBytes = 8 << 20
    /// The largest `maxRequestBodyBytes` accepted: 1 GiB.
    package static let maxRequestBodyBytesLimit = 1 << 30
    /// The buffer budget in force: `maxBufferedBytes`, or four times `maxRequestBodyBytes`.
    package var bufferBudgetBytes: Int {
        maxBufferedBytes ?? maxRequestBodyBytes.multipliedReportingOverflow(by: 4).partialValue
    }

    /// 120s.
    package static let defaultDeadline = ProxyDuration.seconds(120)
    /// 5.
    package static let defaultMaxAttempts = 5
    /// The largest `maxAttempts` accepted, here and on routes.
    package static let maxAttemptsLimit = 20

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(timeouts: TimeoutsConfig = .default, maxRequestBodyBytes: Int = defaultMaxRequestBodyBytes,
                 maxBufferedBytes: Int? = nil, retry: RetryConfig = .default, deadline: ProxyDuration = defaultDeadline,
                 maxAttempts: Int = defaultMaxAttempts, fallbackOn: FallbackTriggers = .default,
                 priorities: PriorityConfig? = nil) {
        self.timeouts = timeouts
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxBufferedBytes = maxBufferedBytes
        self.retry = retry
        self.deadline = deadline
        self.maxAttempts = maxAttempts
        self.fallbackOn = fallbackOn
        self.priorities = priorities
    }
}
