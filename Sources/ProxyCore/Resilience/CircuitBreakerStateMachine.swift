/// Outlier ejection for one backend: opens (ejects) after `consecutiveFailures` failures in
/// a row, or when at least `errorRatePercent` % of the requests in `window` failed (once the
/// window holds `minRequests`); stays open for a cooldown that doubles with each repeat
/// ejection up to `maxCooldown`; then lets exactly one probe through (half-open): its
/// success closes the breaker, its failure opens it again for the longer cooldown. A
/// backend that stays closed for `maxCooldown` starts again from the base cooldown.
///
/// What is a failure is the caller's choice: connect failures, timeouts and 5xx; not a 429
/// (the provider is healthy, only busy) nor a 4xx. Warmup ping results count too.
/// A value; shared by all loops through `SharedState` (time comes from the caller).
package struct CircuitBreakerStateMachine: Sendable {
    /// The thresholds and cooldowns.
    package let config: CircuitBreakerConfig
    /// The current state (`allowRequest` and `record` move it on).
    package private(set) var state: CircuitState = .closed
    /// How many times the breaker has opened (for metrics).
    package private(set) var ejections = 0

    private var consecutive = 0
    // Ejections since the breaker was last closed for a quiet period.
    private var repeatLevel = 0
    private var closedSince: ProxyInstant? = nil
    private var window: SlidingCounts

    /// A closed breaker.
    package init(config: CircuitBreakerConfig) {
        self.config = config
        window = SlidingCounts(window: config.window, slices: 10)
    }

    /// Whether a request may go to the backend now, without claiming the probe: for
    /// routing and fallback availability (`isAvailable`).
    package func isAvailable(at now: ProxyInstant) -> Bool {
        switch state {
        case .closed: true
        case .open(let until): now >= until
        case .halfOpen(let probeInFlight): !probeInFlight
        }
    }

    /// Whether the request about to be sent may go; claims the probe when half-open (or when
    /// an open breaker's cooldown has just ended). Call right before sending; a false answer
    /// is `LocalRejection.ejected`.
    package mutating func allowRequest(at now: ProxyInstant) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        case .halfOpen(let probeInFlight):
            guard !probeInFlight else { return false }
            state = .halfOpen(probeInFlight: true)
            return true
        }
    }

    /// Records how a request to the backend ended.
    package mutating func record(success: Bool, at now: ProxyInstant) {
        switch state {
        case .open:
            // A request sent before the breaker opened: it says nothing new.
            return
        case .halfOpen:
            if success {
                state = .closed
                closedSince = now
                consecutive = 0
                window.reset()
            } else {
                open(at: now)
            }
        case .closed:
            if let closedSince, now.duration(since: closedSince) >= config.maxCooldown {
                repeatLevel = 0
                self.closedSince = nil
            }
            window.add(failure: !success, at: now)
            consecutive = success ? 0 : consecutive + 1
            let tooManyInARow = config.consecutiveFailures > 0 && consecutive >= config.consecutiveFailures
            let (requests, failures) = window.totals(at: now)
            let rate = failures.multipliedReportingOverflow(by: 100).partialValue
            let tooManyInWindow = config.errorRatePercent > 0 && requests >= config.minRequests
                && rate >= requests.multipliedReportingOverflow(by: config.errorRatePercent).partialValue
            if tooManyInARow || tooManyInWindow { open(at: now) }
        }
    }

    /// The cooldown the next ejection gets: base × 2^repeats, at most `maxCooldown`.
    package var nextCooldown: ProxyDuration {
        Backoff(base: config.cooldown, max: config.maxCooldown).ceiling(retry: repeatLevel)
    }

    private mutating func open(at now: ProxyInstant) {
        state = .open(until: now.advanced(by: nextCooldown))
        repeatLevel = min(repeatLevel + 1, 62)
        ejections += 1
        consecutive = 0
        closedSince = nil
        window.reset()
    }
}
