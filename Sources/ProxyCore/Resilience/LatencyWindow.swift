import Synchronization

/// The live time-to-first-token figures of one registry entry (a backend's upstream model):
/// p50 and p95 over the last `window` (one minute), counted once `minSamples` (10) samples
/// are in it, from this pod's own traffic (`docs/routing.md`, "Live figures").
///
/// **Threading.** Shared by every event loop and lock-free: a fixed histogram of
/// `LatencyBuckets` per time slice (six slices of ten seconds), each count an atomic. The
/// first sample of a new slice claims it with a compare-and-swap on its epoch and clears its
/// counts; a sample another loop adds to that slice in the same instant may be lost or
/// cleared. The figures are an estimate either way, and never block a request.
package final class LatencyWindow: Sendable {
    /// How far back the figures look.
    package static let window = ProxyDuration.seconds(60)
    /// Samples needed in the window before a figure counts.
    package static let minSamples: UInt64 = 10
    private static let slices = 6
    private static let sliceWidth = window.nanoseconds / UInt64(slices)

    // Per slice: the epoch (`now / sliceWidth`) its counts belong to; `.max` while unused.
    private let epochs: InlineArray<6, Atomic<UInt64>>
    // slices × LatencyBuckets.count counts, slice-major.
    private let counts: InlineArray<84, Atomic<UInt64>>

    /// An empty window.
    package init() {
        epochs = InlineArray { _ in Atomic(UInt64.max) }
        counts = InlineArray { _ in Atomic(0) }
    }

    /// Records one attempt's time to first token, observed at `now`. Non-blocking, any thread.
    package func record(_ timeToFirstToken: ProxyDuration, at now: ProxyInstant) {
        let epoch = now.nanoseconds / Self.sliceWidth
        let slice = Int(epoch % UInt64(Self.slices))
        let seen = epochs[slice].load(ordering: .acquiring)
        if seen != epoch {
            // A sample older than the slice's current use no longer counts.
            if seen != .max && seen > epoch { return }
            if epochs[slice].compareExchange(expected: seen, desired: epoch, ordering: .acquiringAndReleasing).exchanged {
                for bucket in 0..<LatencyBuckets.count {
                    counts[slice * LatencyBuckets.count + bucket].store(0, ordering: .relaxed)
                }
            }
        }
        counts[slice * LatencyBuckets.count + LatencyBuckets.bucket(of: timeToFirstToken)].wrappingAdd(1, ordering: .relaxed)
    }

    /// The p50 and p95 over the window ending at `now`, or nil with fewer than `minSamples` samples.
    package func figures(at now: ProxyInstant) -> LatencyFigures? {
        let current = now.nanoseconds / Self.sliceWidth
        var histogram = InlineArray<14, UInt64>(repeating: 0)
        var total: UInt64 = 0
        for slice in 0..<Self.slices {
            let epoch = epochs[slice].load(ordering: .acquiring)
            guard epoch != .max, epoch <= current, current - epoch < UInt64(Self.slices) else { continue }
            for bucket in 0..<LatencyBuckets.count {
                let samples = counts[slice * LatencyBuckets.count + bucket].load(ordering: .relaxed)
                histogram[bucket] &+= samples
                total &+= samples
            }
        }
        guard total >= Self.minSamples,
              let p50 = LatencyBuckets.percentile(50, total: total, histogram: { histogram[$0] }),
              let p95 = LatencyBuckets.percentile(95, total: total, histogram: { histogram[$0] }) else { return nil }
        return LatencyFigures(p50: p50, p95: p95, samples: Int(total))
    }
}

/// A registry entry's live time to first token over `LatencyWindow.window`.
package struct LatencyFigures: Hashable, Sendable {
    package let p50: ProxyDuration
    package let p95: ProxyDuration
    /// Samples in the window.
    package let samples: Int

    package init(p50: ProxyDuration, p95: ProxyDuration, samples: Int) {
        self.p50 = p50
        self.p95 = p95
        self.samples = samples
    }
}
