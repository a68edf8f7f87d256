import Synchronization

/// One labelled series of an integer gauge (in-flight requests, open connections).
///
/// Thread-safe: every update is one relaxed atomic operation (no lock, no allocation).
package final class GaugeSeries: Sendable {
    private let current = Atomic<Int64>(0)

    package init() {}

    /// Replaces the value.
    @inline(__always)
    package func set(_ value: Int64) { current.store(value, ordering: .relaxed) }

    /// Adds `amount` (wrapping on overflow rather than trapping: a gauge must never crash the proxy).
    @inline(__always)
    package func add(_ amount: Int64 = 1) { current.wrappingAdd(amount, ordering: .relaxed) }

    /// Subtracts `amount`, wrapping on overflow.
    @inline(__always)
    package func sub(_ amount: Int64 = 1) { current.wrappingSubtract(amount, ordering: .relaxed) }

    /// The current value, as read at scrape time.
    package var value: Int64 { current.load(ordering: .relaxed) }
}
