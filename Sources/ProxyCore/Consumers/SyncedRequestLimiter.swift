import Synchronization

/// One consumer's request limits in Redis sync mode (ADR 0009): each window admits against
/// the global total Redis returned at the last sync plus what this sidecar admitted since,
/// without a lock (atomics shared by every loop); a sync step every interval pushes the local
/// count to Redis and reads the new global total back.
///
/// Overshoot: the other sidecars' admissions since the last sync are invisible, so all
/// sidecars together can pass a limit by what the others admit in one interval (plus one
/// sync's round trip). This process alone never passes it.
///
/// Staleness (no sync answered for a while: Redis down or slow) is the gateway's, not one
/// limiter's (`SyncFreshness`, checked by the caller before `acquire`): an idle window is
/// pushed less often than a busy one (`SyncPacing`).
package final class SyncedRequestLimiter: Sendable {
    /// One window's shared state.
    package final class Window: Sendable {
        package let window: RateLimitWindow
        package let limit: Int
        /// The global count Redis returned at the last sync (our pushed admissions included).
        let base = Atomic<Int64>(0)
        /// Admitted here since the last push.
        let pending = Atomic<Int64>(0)
        /// Pushed, reply not yet received.
        let inFlight = Atomic<Int64>(0)
        /// When the window resets, as of the last sync (nanoseconds on the sidecar's clock).
        let resetAt = Atomic<UInt64>(0)
        /// When the sync step pushes it.
        package let pacing = SyncPacing()

        init(window: RateLimitWindow, limit: Int) {
            self.window = window
            self.limit = limit
        }

        /// The count this sidecar believes the window has.
        package var estimate: Int64 {
            base.load(ordering: .relaxed) + inFlight.load(ordering: .relaxed) + pending.load(ordering: .relaxed)
        }
    }

    package let limits: RequestRateLimits
    package let windows: [Window]

    package init(_ limits: RequestRateLimits) {
        self.limits = limits
        windows = limits.windows.map { Window(window: $0.window, limit: $0.limit) }
    }

    /// Counts one request here in every window, or in none when one of them is full (by the
    /// last global total plus this sidecar's admissions since).
    package func acquire(at now: ProxyInstant) -> RateLimitDecision {
        var tightest: RateLimitStatus?
        for window in windows {
            let resetAt = window.resetAt.load(ordering: .relaxed)
            let reset = ProxyDuration(nanoseconds: resetAt > now.nanoseconds ? resetAt - now.nanoseconds : window.window.duration.nanoseconds)
            let outside = window.base.load(ordering: .relaxed) + window.inFlight.load(ordering: .relaxed)
            var current = window.pending.load(ordering: .relaxed)
            while true {
                guard outside + current < Int64(window.limit) else {
                    return .limited(RateLimitStatus(limit: window.limit, remaining: 0, reset: reset))
                }
                let (exchanged, seen) = window.pending.weakCompareExchange(expected: current, desired: current + 1, ordering: .relaxed)
                if exchanged { break }
                current = seen
            }
            let remaining = max(0, window.limit - Int(outside + current + 1))
            let status = RateLimitStatus(limit: window.limit, remaining: remaining, reset: reset)
            if tightest == nil || remaining < tightest!.remaining { tightest = status }
        }
        return .admitted(tightest)
    }

    /// Each window's limit, what this sidecar believes remains of it and when it resets, at
    /// `now` (admin).
    package func readings(at now: ProxyInstant) -> [(window: RateLimitWindow, status: RateLimitStatus)] {
        windows.map { window in
            let resetAt = window.resetAt.load(ordering: .relaxed)
            let reset = ProxyDuration(nanoseconds: resetAt > now.nanoseconds ? resetAt - now.nanoseconds : window.window.duration.nanoseconds)
            let remaining = max(0, window.limit - Int(clamping: window.estimate))
            return (window.window, RateLimitStatus(limit: window.limit, remaining: remaining, reset: reset))
        }
    }

    /// Starts a sync of `window` at `now`: moves its pending count in flight and returns it; nil
    /// when the previous sync of the window has not answered yet, or when nothing changed and
    /// its `pacing` says an idle window waits (`idleRefresh`).
    package func beginSync(_ window: Window, at now: ProxyInstant, idleRefresh: ProxyDuration) -> Int64? {
        guard window.inFlight.load(ordering: .relaxed) == 0,
              window.pacing.shouldPush(changed: window.pending.load(ordering: .relaxed) != 0, at: now, idleRefresh: idleRefresh)
        else { return nil }
        let delta = window.pending.exchange(0, ordering: .relaxed)
        window.inFlight.store(delta, ordering: .relaxed)
        return delta
    }

    /// Redis answered a sync of `window`: `total` is the global count (the pushed delta
    /// included), `resetAfter` the time to the window's reset.
    package func syncSucceeded(_ window: Window, total: Int64, resetAfter: ProxyDuration, at now: ProxyInstant) {
        window.base.store(total, ordering: .relaxed)
        window.inFlight.store(0, ordering: .relaxed)
        window.resetAt.store(now.nanoseconds &+ resetAfter.nanoseconds, ordering: .relaxed)
    }

    /// A sync of `window` failed. When the push may have been applied it is not pushed again
    /// (counting it twice would refuse requests that are within the limit); otherwise it is
    /// pushed with the next sync.
    package func syncFailed(_ window: Window, mayHaveRun: Bool) {
        let delta = window.inFlight.exchange(0, ordering: .relaxed)
        if !mayHaveRun { window.pending.add(delta, ordering: .relaxed) }
    }
}
