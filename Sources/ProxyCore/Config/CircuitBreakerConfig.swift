/// When a backend is ejected, and for how long (see `CircuitBreakerStateMachine`).
package struct CircuitBreakerConfig: Hashable, Sendable {
    /// Eject after this many failures in a row; 0 turns this criterion off. Default 5.
    package let consecutiveFailures: Int
    /// Eject when at least this share of requests in `window` failed; 0 turns it off. Default 50.
    package let errorRatePercent: Int
    /// The error rate counts only once `window` holds at least this many requests. Default 20.
    package let minRequests: Int
    /// The sliding window of the error rate. Default 30s.
    package let window: ProxyDuration
    /// The first ejection's length; each repeat ejection doubles it. Default 30s.
    package let cooldown: ProxyDuration
    /// The longest ejection. Default 5m; at least `cooldown`.
    package let maxCooldown: ProxyDuration

    /// 5 in a row or 50 % of at least 20 in 30s; 30s doubling up to 5m.
    package static let `default` = CircuitBreakerConfig()

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(consecutiveFailures: Int = 5, errorRatePercent: Int = 50, minRequests: Int = 20,
                 window: ProxyDuration = .seconds(30), cooldown: ProxyDuration = .seconds(30),
                 maxCooldown: ProxyDuration = .seconds(300)) {
        self.consecutiveFailures = consecutiveFailures
        self.errorRatePercent = errorRatePercent
        self.minRequests = minRequests
        self.window = window
        self.cooldown = cooldown
        self.maxCooldown = maxCooldown
    }
}
