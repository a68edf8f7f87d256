/// The fixed latency buckets shared by `LatencyShifter` and `EntryLiveWindow`, and the
/// percentile of a histogram over them.
package enum LatencyBuckets {
    /// Bucket upper bounds in milliseconds; a last bucket holds everything slower.
    package static let bounds: [UInt64] = [25, 50, 100, 250, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 30_000, 60_000]
    /// Buckets per histogram: one per bound and one for everything slower.
    package static let count = 14

    /// The bucket of a latency.
    static func bucket(of duration: ProxyDuration) -> Int {
        let milliseconds = duration.milliseconds
        return bounds.firstIndex { milliseconds < $0 } ?? bounds.count
    }

    /// The `percent` percentile of `total` samples spread over the buckets as `histogram(bucket)`
    /// says, interpolated linearly inside its bucket; nil when `total` is 0.
    static func percentile(_ percent: UInt64, total: UInt64, histogram: (Int) -> UInt64) -> ProxyDuration? {
        guard total > 0 else { return nil }
        // The smallest sample rank at or above `percent` %: ceil(percent × total / 100).
        let rank = (total * percent + 99) / 100
        var below: UInt64 = 0
        for bucket in 0..<count {
            let samples = histogram(bucket)
            if samples > 0, below + samples >= rank {
                let lower = bucket == 0 ? 0 : bounds[bucket - 1]
                let upper = bucket < bounds.count ? bounds[bucket] : lower * 2
                // Linear inside the bucket: the rank-th of `samples` spread over [lower, upper].
                let offsetNanos = (upper - lower) * 1_000_000 * (rank - below) / samples
                return ProxyDuration(nanoseconds: lower * 1_000_000 + offsetNanos)
            }
            below += samples
        }
        return nil
    }
}
