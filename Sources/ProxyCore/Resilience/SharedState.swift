import Synchronization

/// A policy state machine shared by every event loop of the sidecar: a backend's
/// `CircuitBreakerStateMachine`, `LatencyShifter` or `WarmupScheduler`, whose counts must
/// cover the backend's whole traffic (a per-loop breaker would need N failures per loop).
///
/// **Threading.** Any loop may call `withLock`; the closure runs under a `Mutex` and must be
/// short and non-blocking (the state machines' methods are a few arithmetic steps). Loop-
/// local state (a request's `UpstreamAttemptStateMachine`, a route's `RetryBudget`) does not
/// need this.
package final class SharedState<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    /// Shares `value`.
    package init(_ value: sending Value) {
        mutex = Mutex(value)
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result: Sendable>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}
