import Synchronization

/// The live figures of one registry entry (a backend's upstream model) over the last `window`
/// (one minute), from this pod's own traffic (`docs/routing.md`, "Live figures"): time to
/// first token (p50, p95), the share of attempts that failed, and output tokens per second of
/// streamed answers. Each figure counts once `minSamples` (10) samples of its kind are in it.
///
/// **Threading.** Shared by every event loop and lock-free: per time slice (six slices of ten
/// seconds) a fixed histogram of `LatencyBuckets` and five counters, each an atomic. The first
/// sample of a new slice claims it with a compare-and-swap on its epoch and clears its counts;
/// a sample another loop adds to that slice in the same instant may be lost or cleared. The
/// figures are an estimate either way, and never block a request.
package final class EntryLiveWindow: Sendable {
    /// How far back the figures look.
    package static let window = ProxyDuration.seconds(60)
    /// Samples of a kind needed in the window before its figure counts.
    package static let minSamples: UInt64 = 10
    private static let slices = 6
    private static let sliceWidth = window.nanoseconds / UInt64(slices)

    // Per slice: `LatencyBuckets.count` time-to-first-token buckets, then these counters.
    private enum Counter: Int, CaseIterable {
        case attempts, failures, streams, outputTokens, generationMicros
    }
    private static let stride = LatencyBuckets.count + Counter.allCases.count

    // Per slice: the epoch (`now / sliceWidth`) its counts belong to; `.max` while unused.
    private let epochs: InlineArray<6, Atomic<UInt64>>
    // slices × stride counts, slice-major.
    private let counts: InlineArray<114, Atomic<UInt64>>

    /// An empty window.
    package init() {
        epochs = InlineArray { _ in Atomic(UInt64.max) }
        counts = InlineArray { _ in Atomic(0) }
    }

    /// Records one attempt's time to first token, observed at `now`. Non-blocking, any thread.
    package func recordFirstToken(_ timeToFirstToken: ProxyDuration, at now: ProxyInstant) {
        guard let base = claimSlice(at: now) else { return }
        counts[base + LatencyBuckets.bucket(of: timeToFirstToken)].wrappingAdd(1, ordering: .relaxed)
    }

    /// Records how an attempt sent to the entry ended, observed at `now`. Non-blocking, any thread.
    package func recordAttempt(_ result: EntryAttemptResult, at now: ProxyInstant) {
        guard let base = claimSlice(at: now) else { return }
        counts[base + Self.offset(.attempts)].wrappingAdd(1, ordering: .relaxed)
        if result == .failed { counts[base + Self.offset(.failures)].wrappingAdd(1, ordering: .relaxed) }
    }

    /// Records a streamed answer's generation: `outputTokens` from its first token to its end,
    /// `took` long. Non-blocking, any thread.
    package func recordGeneration(outputTokens: Int, took: ProxyDuration, at now: ProxyInstant) {
        guard outputTokens > 0, took > .zero, let base = claimSlice(at: now) else { return }
        counts[base + Self.offset(.streams)].wrappingAdd(1, ordering: .relaxed)
        counts[base + Self.offset(.outputTokens)].wrappingAdd(UInt64(outputTokens), ordering: .relaxed)
        counts[base + Self.offset(.generationMicros)].wrappingAdd(max(1, took.nanoseconds / 1_000), ordering: .relaxed)
    }

    /// The p50 and p95 time to first token over the window ending at `now`, or nil with fewer
    /// than `minSamples` samples.
    package func figures(at now: ProxyInstant) -> LatencyFigures? {
        var histogram = InlineArray<14, UInt64>(repeating: 0)
        var total: UInt64 = 0
        forEachLiveSlice(at: now) { base in
            for bucket in 0..<LatencyBuckets.count {
                let samples = counts[base + bucket].load(ordering: .relaxed)
                histogram[bucket] &+= samples
                total &+= samples
            }
        }
        guard total >= Self.minSamples,
              let p50 = LatencyBuckets.percentile(50, total: total, histogram: { histogram[$0] }),
              let p95 = LatencyBuckets.percentile(95, total: total, histogram: { histogram[$0] }) else { return nil }
        return LatencyFigures(p50: p50, p95: p95, samples: Int(total))
    }

    /// The error rate and output speed over the window ending at `now`.
    package func traffic(at now: ProxyInstant) -> TrafficFigures {
        var sums = InlineArray<5, UInt64>(repeating: 0)
        forEachLiveSlice(at: now) { base in
            for counter in Counter.allCases {
                sums[counter.rawValue] &+= counts[base + Self.offset(counter)].load(ordering: .relaxed)
            }
        }
        let attempts = sums[Counter.attempts.rawValue], streams = sums[Counter.streams.rawValue]
        let micros = sums[Counter.generationMicros.rawValue]
        return TrafficFigures(
            attempts: Int(attempts),
            errorRate: attempts >= Self.minSamples ? Double(min(sums[Counter.failures.rawValue], attempts)) / Double(attempts) : nil,
            streams: Int(streams),
            outputTokensPerSecond: streams >= Self.minSamples && micros > 0
                ? Double(sums[Counter.outputTokens.rawValue]) * 1_000_000 / Double(micros) : nil)
    }

    private static func offset(_ counter: Counter) -> Int { LatencyBuckets.count + counter.rawValue }

    /// The first count of the slice `now` falls in, claimed (and cleared) for `now`'s epoch if an
    /// older one held it; nil for a sample older than the slice's current use.
    private func claimSlice(at now: ProxyInstant) -> Int? {
        let epoch = now.nanoseconds / Self.sliceWidth
        let slice = Int(epoch % UInt64(Self.slices))
        let seen = epochs[slice].load(ordering: .acquiring)
        if seen != epoch {
            if seen != .max && seen > epoch { return nil }
            if epochs[slice].compareExchange(expected: seen, desired: epoch, ordering: .acquiringAndReleasing).exchanged {
                for index in 0..<Self.stride { counts[slice * Self.stride + index].store(0, ordering: .relaxed) }
            }
        }
        return slice * Self.stride
    }

    /// Calls `body` with the first count of every slice inside the window ending at `now`.
    private func forEachLiveSlice(at now: ProxyInstant, _ body: (Int) -> Void) {
        let current = now.nanoseconds / Self.sliceWidth
        for slice in 0..<Self.slices {
            let epoch = epochs[slice].load(ordering: .acquiring)
            guard epoch != .max, epoch <= current, current - epoch < UInt64(Self.slices) else { continue }
            body(slice * Self.stride)
        }
    }
}

/// How an attempt sent to a registry entry ended, for its live error rate.
package enum EntryAttemptResult: Hashable, Sendable {
    /// The provider answered (any status but 429 and 5xx) and the transfer completed.
    case answered
    /// 429, 5xx, or the transfer failed (connect, TLS, timeouts, a broken or invalid response).
    case failed
}

/// A registry entry's live time to first token over `EntryLiveWindow.window`.
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

/// A registry entry's live error rate and output speed over `EntryLiveWindow.window`.
package struct TrafficFigures: Hashable, Sendable {
    /// Attempts that ended in the window.
    package let attempts: Int
    /// Failed attempts ÷ attempts; nil below `EntryLiveWindow.minSamples` attempts.
    package let errorRate: Double?
    /// Streamed answers measured in the window.
    package let streams: Int
    /// Output tokens ÷ generation time (first token to end) of streamed answers; nil below
    /// `EntryLiveWindow.minSamples` streams.
    package let outputTokensPerSecond: Double?
}
