/// Latency-aware shifting for one backend: when the p95 time to first byte over the last
/// `window` exceeds `p95Above`, the backend's split weight drops to `weightPercent` % for
/// `cooldown`, then returns to 100 % (the "if p95 > 3 s, shift traffic for five minutes" rule).
///
/// TTFBs go into a fixed-bucket histogram per time slice (no per-sample storage); the p95 is
/// interpolated linearly inside its bucket. The samples are cleared when a shift starts, so
/// the next decision uses only latencies seen during the shift. Needs `minSamples` in the
/// window before it judges. A value; shared by all loops through `SharedState`.
package struct LatencyShifter: Sendable {
    /// Bucket upper bounds in milliseconds; a last bucket holds everything slower.
    package static let bucketBounds = LatencyBuckets.bounds
    private static let slices = 6

    /// The threshold, window, reduced weight and cooldown.
    package let config: LatencyShiftConfig
    /// Samples needed in the window before the p95 counts.
    package let minSamples: Int
    /// How many times the backend has been shifted (for metrics).
    package private(set) var shifts = 0
    private var shiftedUntil: ProxyInstant? = nil
    private let sliceWidth: UInt64
    private var epochs: [UInt64]
    // slices × (bucketBounds.count + 1) counts, slice-major.
    private var counts: [UInt32]

    /// A shifter that is not shifting.
    package init(config: LatencyShiftConfig, minSamples: Int = 20) {
        self.config = config
        self.minSamples = max(1, minSamples)
        sliceWidth = max(config.window.nanoseconds / UInt64(Self.slices), 1)
        epochs = Array(repeating: .max, count: Self.slices)
        counts = Array(repeating: 0, count: Self.slices * (Self.bucketBounds.count + 1))
    }

    /// The weight to apply to the backend's split entries now: 100, or `weightPercent` while shifted.
    package func effectiveWeightPercent(at now: ProxyInstant) -> Int {
        isShifted(at: now) ? config.weightPercent : 100
    }

    /// Whether a shift is in force at `now`.
    package func isShifted(at now: ProxyInstant) -> Bool {
        shiftedUntil.map { now < $0 } ?? false
    }

    /// Records one attempt's time to first byte, and starts a shift if the p95 is now too high.
    package mutating func record(timeToFirstByte: ProxyDuration, at now: ProxyInstant) {
        let epoch = now.nanoseconds / sliceWidth
        let slice = Int(epoch % UInt64(Self.slices))
        let width = Self.bucketBounds.count + 1
        if epochs[slice] != epoch {
            epochs[slice] = epoch
            for index in (slice * width)..<((slice + 1) * width) { counts[index] = 0 }
        }
        let bucket = LatencyBuckets.bucket(of: timeToFirstByte)
        counts[slice * width + bucket] &+= 1
        guard !isShifted(at: now), let p95 = p95(at: now), p95 > config.p95Above else { return }
        shiftedUntil = now.advanced(by: config.cooldown)
        shifts += 1
        for index in epochs.indices { epochs[index] = .max }
    }

    /// The p95 TTFB over the window ending at `now`, or nil with fewer than `minSamples` samples.
    package func p95(at now: ProxyInstant) -> ProxyDuration? {
        let current = now.nanoseconds / sliceWidth
        let width = Self.bucketBounds.count + 1
        var histogram = [UInt64](repeating: 0, count: width)
        var total: UInt64 = 0
        for slice in epochs.indices where epochs[slice] != .max && epochs[slice] <= current
            && current - epochs[slice] < UInt64(Self.slices) {
            for bucket in 0..<width {
                histogram[bucket] += UInt64(counts[slice * width + bucket])
                total += UInt64(counts[slice * width + bucket])
            }
        }
        guard total >= UInt64(minSamples) else { return nil }
        return LatencyBuckets.percentile(95, total: total) { histogram[$0] }
    }
}
