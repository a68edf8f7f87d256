import Synchronization

/// One labelled series of an integer counter (a monotonically increasing `UInt64`).
///
/// Thread-safe: `increment` may be called from any event loop at the same time; it is one
/// relaxed atomic add (no lock, no allocation). Obtain the series once, when a config
/// snapshot is built (`MetricFamily.series(labelValues:)`), and keep the reference.
package final class CounterSeries: Sendable {
    private let count = Atomic<UInt64>(0)

    package init() {}

    /// Adds `amount` to the counter. Wraps around at `UInt64.max` (which a scrape shows as a reset).
    @inline(__always)
    package func increment(by amount: UInt64 = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current value, as read at scrape time.
    package var value: UInt64 { count.load(ordering: .relaxed) }
}
