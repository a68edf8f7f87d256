import Synchronization

/// One labelled series of a floating-point counter (cost in dollars, seconds of CPU).
///
/// Thread-safe and lock-free: the value is kept as its IEEE 754 bit pattern in an
/// `Atomic<UInt64>` and updated with a compare-exchange loop, because there is no atomic
/// floating-point add. No allocation.
package final class DoubleCounterSeries: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    package init() {}

    /// Adds `amount` to the counter. Negative amounts are a programmer error for a counter
    /// and are ignored (a counter must never go down); so is NaN, which would poison the total.
    @inline(__always)
    package func increment(by amount: Double) {
        guard amount > 0 else { return }
        AtomicDouble.add(amount, to: bits)
    }

    /// The current value, as read at scrape time.
    package var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}
