import Synchronization

/// Floating-point arithmetic on a `Double` stored as its bit pattern in an `Atomic<UInt64>`.
///
/// Used by the double counter, the double gauge and the histogram sum. Thread-safe; the
/// loop retries only when another thread changed the value between the load and the
/// exchange, so it is wait-free in the uncontended case.
enum AtomicDouble {
    /// Atomically replaces the stored value `v` with `v + amount`.
    @inline(__always)
    static func add(_ amount: Double, to bits: borrowing Atomic<UInt64>) {
        var expected = bits.load(ordering: .relaxed)
        while true {
            let desired = (Double(bitPattern: expected) + amount).bitPattern
            let (exchanged, current) = bits.weakCompareExchange(
                expected: expected, desired: desired, ordering: .relaxed)
            if exchanged { return }
            expected = current
        }
    }
}
