import Synchronization

/// One labelled series of a histogram: per-bucket counts and a sum of observed values.
///
/// Thread-safe and lock-free: `observe` finds the bucket by binary search over the family's
/// small sorted bounds array, then does one relaxed atomic add on that bucket and one
/// compare-exchange loop on the sum. No lock, no allocation.
///
/// Counts are kept per bucket (not cumulative) and summed at scrape time, and there is
/// no separate total: `_count` is derived from the buckets, so a scrape racing with
/// `observe` still shows `_count` equal to the `+Inf` bucket, as Prometheus requires.
package final class HistogramSeries: Sendable {
    /// The upper bounds (inclusive) of the finite buckets, strictly increasing.
    package let upperBounds: [Double]
    // One cell per finite bound plus the overflow (`+Inf`) bucket at the end. An array of
    // `Atomic` is impossible (it is not copyable), so each count lives in its own small object.
    private let counts: [AtomicCountCell]
    private let sumBits = Atomic<UInt64>(0.0.bitPattern)

    /// Creates an empty series. `upperBounds` must already be validated (strictly increasing, finite).
    package init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.counts = (0...upperBounds.count).map { _ in AtomicCountCell() }
    }

    /// Records one observation. NaN lands in the `+Inf` bucket and makes the sum NaN,
    /// as it does in the Prometheus client libraries.
    @inline(__always)
    package func observe(_ value: Double) {
        counts[bucketIndex(for: value)].count.wrappingAdd(1, ordering: .relaxed)
        AtomicDouble.add(value, to: sumBits)
    }

    /// The index of the first bucket whose bound is `>= value` (`upperBounds.count` for `+Inf`).
    @inline(__always)
    func bucketIndex(for value: Double) -> Int {
        var low = 0
        var high = upperBounds.count
        while low < high {
            let middle = (low &+ high) >> 1
            if value <= upperBounds[middle] { high = middle } else { low = middle &+ 1 }
        }
        return low
    }

    /// The cumulative counts, one per finite bound followed by the `+Inf` bucket (which is the total count).
    ///
    /// Read at scrape time; allocates.
    package func cumulativeCounts() -> [UInt64] {
        var running: UInt64 = 0
        return counts.map { cell in
            running &+= cell.count.load(ordering: .relaxed)
            return running
        }
    }

    /// The sum of all observed values.
    package var sum: Double { Double(bitPattern: sumBits.load(ordering: .relaxed)) }

    /// The number of observations.
    package var count: UInt64 { cumulativeCounts().last ?? 0 }

    /// Prometheus' default buckets, suited to request latencies in seconds.
    package static let defaultSecondsBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
}

/// An atomic count at a stable address, so an array can hold many.
private final class AtomicCountCell: Sendable {
    let count = Atomic<UInt64>(0)
}
