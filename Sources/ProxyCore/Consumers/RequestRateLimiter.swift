import Synchronization

/// One consumer's request limits, shared by every event loop without a lock: per window, one
/// atomic word holding the window's number (low 32 bits) and the requests counted in it,
/// updated by compare-and-swap.
///
/// Exactness: fixed windows, exact for one process — no window ever admits more than its
/// limit, whatever the loops race. Fixed windows let a burst of up to twice the limit pass
/// across a window boundary (the end of one window and the start of the next). Windows are
/// checked shortest first; a request refused by a longer window stays counted in the shorter
/// ones, which changes nothing: the windows are nested (a day is whole hours, …), so the
/// longer window stays full until an instant that starts the shorter ones afresh too.
///
/// Kept across reloads for a consumer whose limits did not change (the data plane carries it
/// by name), so a reload neither resets nor forgets what was counted.
package final class RequestRateLimiter: Sendable {
    package let limits: RequestRateLimits
    private let windows: [(window: RateLimitWindow, limit: Int)]
    private let second = Atomic<UInt64>(0)
    private let minute = Atomic<UInt64>(0)
    private let hour = Atomic<UInt64>(0)
    private let day = Atomic<UInt64>(0)

    package init(_ limits: RequestRateLimits) {
        self.limits = limits
        windows = limits.windows
    }

    /// A fresh limiter for `consumer`, or nil when it has no request limits.
    package static func forConsumer(_ consumer: ConsumerConfig) -> RequestRateLimiter? {
        consumer.rateLimits.windows.isEmpty ? nil : RequestRateLimiter(consumer.rateLimits)
    }

    /// Counts one request at `now` in every window, or in none when one of them is full.
    package func acquire(at now: ProxyInstant) -> RateLimitDecision {
        var tightest: RateLimitStatus?
        for entry in windows {
            let epoch = now.nanoseconds / entry.window.duration.nanoseconds
            let reset = ProxyDuration(nanoseconds: (epoch + 1) * entry.window.duration.nanoseconds - now.nanoseconds)
            guard let count = take(entry.window, epoch: epoch, limit: entry.limit) else {
                return .limited(RateLimitStatus(limit: entry.limit, remaining: 0, reset: reset))
            }
            let status = RateLimitStatus(limit: entry.limit, remaining: entry.limit - count, reset: reset)
            if tightest == nil || status.remaining < tightest!.remaining { tightest = status }
        }
        return .admitted(tightest)
    }

    /// Each window's limit, what remains of it and when it starts over, at `now` (admin).
    package func readings(at now: ProxyInstant) -> [(window: RateLimitWindow, status: RateLimitStatus)] {
        windows.map { entry in
            let epoch = now.nanoseconds / entry.window.duration.nanoseconds
            let reset = ProxyDuration(nanoseconds: (epoch + 1) * entry.window.duration.nanoseconds - now.nanoseconds)
            let word = withCounter(entry.window) { $0.load(ordering: .relaxed) }
            let count = word >> 32 == epoch & 0xFFFF_FFFF ? Int(word & 0xFFFF_FFFF) : 0
            return (entry.window, RateLimitStatus(limit: entry.limit, remaining: max(0, entry.limit - count), reset: reset))
        }
    }

    /// The count after adding one, or nil (nothing taken) when the window is full.
    private func take(_ window: RateLimitWindow, epoch: UInt64, limit: Int) -> Int? {
        let tag = epoch & 0xFFFF_FFFF
        return withCounter(window) { counter in
            var current = counter.load(ordering: .relaxed)
            while true {
                let count = current >> 32 == tag ? Int(current & 0xFFFF_FFFF) : 0
                guard count < limit else { return nil }
                let (exchanged, seen) = counter.weakCompareExchange(expected: current, desired: tag << 32 | UInt64(count + 1),
                                                                     ordering: .relaxed)
                if exchanged { return count + 1 }
                current = seen
            }
        }
    }

    private func withCounter<T>(_ window: RateLimitWindow, _ body: (borrowing Atomic<UInt64>) -> T) -> T {
        switch window {
        case .second: body(second)
        case .minute: body(minute)
        case .hour: body(hour)
        case .day: body(day)
        }
    }
}

/// Whether a request passes a consumer's request limits.
package enum RateLimitDecision: Hashable, Sendable {
    /// Counted; the status of the window with the fewest requests left (nil: no limits).
    case admitted(RateLimitStatus?)
    /// Refused, by the window in `status` (its `reset` is when to retry).
    case limited(RateLimitStatus)

    /// This decision together with `other`'s (a consumer's windows, then its per-model
    /// override's): refused when either refused (this one first), else admitted with the
    /// status of the window with the fewest requests left.
    package func tightened(by other: RateLimitDecision) -> RateLimitDecision {
        guard case .admitted(let mine) = self else { return self }
        guard case .admitted(let theirs) = other else { return other }
        guard let mine else { return other }
        guard let theirs, theirs.remaining < mine.remaining else { return self }
        return other
    }
}

/// What the `x-ratelimit-*-requests` headers say: one window's limit, what remains of it, and
/// how long until it starts over.
package struct RateLimitStatus: Hashable, Sendable {
    package let limit: Int
    package let remaining: Int
    package let reset: ProxyDuration

    package init(limit: Int, remaining: Int, reset: ProxyDuration) {
        self.limit = limit
        self.remaining = remaining
        self.reset = reset
    }

    /// Whole seconds until the window starts over, at least 1 (`Retry-After`).
    package var retryAfterSeconds: Int {
        max(1, Int((reset.nanoseconds + 999_999_999) / 1_000_000_000))
    }

    /// `x-ratelimit-reset-requests` in OpenAI's form: `"250ms"`, `"17s"`, `"6m0s"`, `"1h2m3s"`.
    package var resetText: String {
        let milliseconds = (reset.nanoseconds + 999_999) / 1_000_000
        if milliseconds < 1_000 { return "\(milliseconds)ms" }
        let seconds = (milliseconds + 999) / 1_000
        let (hours, rest) = seconds.quotientAndRemainder(dividingBy: 3_600)
        let (minutes, secs) = rest.quotientAndRemainder(dividingBy: 60)
        if hours > 0 { return "\(hours)h\(minutes)m\(secs)s" }
        if minutes > 0 { return "\(minutes)m\(secs)s" }
        return "\(secs)s"
    }
}
