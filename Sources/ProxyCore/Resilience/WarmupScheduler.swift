/// When to send a backend's keep-alive warmup pings: once at start-up, then only after
/// `idleAfter` without real traffic, and then every `interval` while the quiet lasts; never
/// while traffic flows, never two at once, and more slowly after failures (the interval
/// doubles per failed ping in a row, up to 8×), so a dead backend is not hammered.
///
/// The loop that owns the backend's pings sets a timer for `nextPing(at:)` and, when it
/// fires, sends a ping if `nextPing(at: now) <= now`. Real requests on every loop call
/// `recordTraffic` (at their start and end). Ping results should also feed the circuit
/// breaker. A value; shared by all loops through `SharedState`.
package struct WarmupScheduler: Sendable {
    /// Idle threshold, interval and what to send.
    package let config: WarmupConfig
    /// Pings sent so far (for metrics).
    package private(set) var pingsSent = 0

    private let start: ProxyInstant
    private var lastTraffic: ProxyInstant? = nil
    private var lastPing: ProxyInstant? = nil
    private var pingInFlight = false
    private var failuresInARow = 0

    /// A scheduler for a backend that came up (config loaded) at `start`.
    package init(config: WarmupConfig, start: ProxyInstant) {
        self.config = config
        self.start = start
    }

    /// A real request to the backend started or ended at `now`.
    package mutating func recordTraffic(at now: ProxyInstant) {
        if lastTraffic.map({ now > $0 }) ?? true { lastTraffic = now }
    }

    /// A ping was sent at `now`.
    package mutating func recordPingSent(at now: ProxyInstant) {
        lastPing = now
        pingInFlight = true
        pingsSent += 1
    }

    /// The ping in flight ended.
    package mutating func recordPingResult(success: Bool, at now: ProxyInstant) {
        pingInFlight = false
        failuresInARow = success ? 0 : min(failuresInARow + 1, 3)
    }

    /// When the next ping is due (at or before `now`: send it now), or nil while one is in flight.
    package func nextPing(at now: ProxyInstant) -> ProxyInstant? {
        guard !pingInFlight else { return nil }
        let idleDue = (lastTraffic ?? start).advanced(by: config.idleAfter)
        // The start-up ping, unless real traffic already warmed the backend.
        guard let lastPing else { return lastTraffic == nil ? start : idleDue }
        let (spacing, overflow) = config.interval.nanoseconds.multipliedReportingOverflow(by: 1 << UInt64(failuresInARow))
        return max(idleDue, lastPing.advanced(by: ProxyDuration(nanoseconds: overflow ? .max : spacing)))
    }

    /// Whether a ping should be sent now.
    package func shouldPing(at now: ProxyInstant) -> Bool {
        nextPing(at: now).map { $0 <= now } ?? false
    }
}
