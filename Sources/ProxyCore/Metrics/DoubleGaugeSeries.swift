import Synchronization

/// One labelled series of a floating-point gauge (a ratio, a budget left in dollars).
///
/// Thread-safe and lock-free: the bit pattern lives in an `Atomic<UInt64>`; `add` and `sub`
/// use a compare-exchange loop. No allocation.
package final class DoubleGaugeSeries: Sendable {
    private let bits = Atomic<UInt64>(0.0.bitPattern)

    package init() {}

    /// Replaces the value.
    @inline(__always)
    package func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }

    /// Adds `amount`.
    @inline(__always)
    package func add(_ amount: Double) { AtomicDouble.add(amount, to: bits) }

    /// Subtracts `amount`.
    @inline(__always)
    package func sub(_ amount: Double) { AtomicDouble.add(-amount, to: bits) }

    /// The current value, as read at scrape time.
    package var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
}
