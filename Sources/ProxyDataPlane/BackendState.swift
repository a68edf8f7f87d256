import ProxyCore
import Synchronization

/// A backend's protection state, shared by every loop: its concurrency limit and queue,
/// circuit breaker, latency shifter and warmup schedule. It outlives snapshots: a reload
/// that leaves a backend's protection settings unchanged keeps its state (an ejected
/// backend stays ejected, its queue keeps its waiters).
final class BackendState: Sendable {
    let name: String
    /// What the state was built from; a reload with different settings builds a new one.
    let settings: Settings
    let limiter: ConcurrencyLimiter?
    let breaker: SharedState<CircuitBreakerStateMachine>?
    let shifter: SharedState<LatencyShifter>?
    let warmup: SharedState<WarmupScheduler>?
    /// Attempts (warmup pings included) in flight from this pod, every loop together.
    private let inFlight = Atomic<Int>(0)

    struct Settings: Hashable, Sendable {
        var maxConcurrentRequests: Int?
        var queue: QueueConfig
        var circuitBreaker: CircuitBreakerConfig?
        var latencyShift: LatencyShiftConfig?
        var warmup: WarmupConfig?
        /// `defaults.priorities.reservedPercent`: the top class's share of the limit.
        var reservedPercent: Int?

        init(_ backend: BackendConfig, reservedPercent: Int?) {
            maxConcurrentRequests = backend.maxConcurrentRequests
            queue = backend.queue
            circuitBreaker = backend.circuitBreaker
            latencyShift = backend.latencyShift
            warmup = backend.warmup
            self.reservedPercent = reservedPercent
        }
    }

    init(_ backend: BackendConfig, reservedPercent: Int?, now: ProxyInstant) {
        name = backend.name
        settings = Settings(backend, reservedPercent: reservedPercent)
        limiter = ConcurrencyLimiter(backend, reservedPercent: reservedPercent)
        breaker = backend.circuitBreaker.map { SharedState(CircuitBreakerStateMachine(config: $0)) }
        shifter = backend.latencyShift.map { SharedState(LatencyShifter(config: $0)) }
        warmup = backend.warmup.map { SharedState(WarmupScheduler(config: $0, start: now)) }
    }

    /// Whether splits and fallbacks may send here (false while the breaker is open).
    func isAvailable(at now: ProxyInstant) -> Bool {
        breaker?.withLock { $0.isAvailable(at: now) } ?? true  // lint: allow-lock (breaker/shifter state shared by the loops, only for backends that have one)
    }

    /// The weight multiplier from latency shifting, in percent.
    func weightPercent(at now: ProxyInstant) -> Int {
        shifter?.withLock { $0.effectiveWeightPercent(at: now) } ?? 100  // lint: allow-lock (breaker/shifter state shared by the loops, only for backends that have one)
    }

    /// Claims the right to send now (the half-open probe included).
    func allowRequest(at now: ProxyInstant) -> Bool {
        breaker?.withLock { $0.allowRequest(at: now) } ?? true  // lint: allow-lock (breaker/shifter state shared by the loops, only for backends that have one)
    }

    /// Feeds an attempt's result to the breaker; returns true when this opened it (an ejection).
    func record(success: Bool, at now: ProxyInstant) -> Bool {
        guard let breaker else { return false }
        return breaker.withLock { machine in  // lint: allow-lock (breaker/shifter state shared by the loops, only for backends that have one)
            let before = machine.ejections
            machine.record(success: success, at: now)
            return machine.ejections > before
        }
    }

    /// Feeds the latency shifter an attempt's time to first token (not to its head: a provider
    /// that sends its head and keep-alive comments at once would look fast).
    func recordFirstToken(after duration: ProxyDuration, at now: ProxyInstant) {
        shifter?.withLock { $0.record(timeToFirstByte: duration, at: now) }  // lint: allow-lock (shared latency window; a real state change)
    }

    /// An attempt (or warmup ping) took a slot at this backend.
    func requestStarted() {
        inFlight.add(1, ordering: .relaxed)
    }

    /// An attempt ended at `now`: the backend is idle from here, not from when it started.
    func requestEnded(at now: ProxyInstant) {
        inFlight.subtract(1, ordering: .relaxed)
        warmup?.withLock { $0.recordTraffic(at: now) }  // lint: allow-lock (only for backends with warmup)
    }

    /// Whether any attempt is in flight: a backend serving a request is not idle.
    var isBusy: Bool { inFlight.load(ordering: .relaxed) > 0 }

    var isHealthy: Bool {
        guard let breaker else { return true }
        return breaker.withLock { if case .closed = $0.state { return true } else { return false } }  // lint: allow-lock (breaker/shifter state shared by the loops, only for backends that have one)
    }
}
