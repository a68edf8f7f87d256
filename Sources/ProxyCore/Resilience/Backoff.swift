/// Exponential backoff with full jitter: before retry `n` (0 for the first retry) wait a
/// uniformly random time in [0, min(max, base × 2^n)] ("Exponential Backoff And Jitter",
/// AWS Architecture Blog, 2015). Full jitter spreads retries of many clients that failed
/// together, so they do not return together.
///
/// Overflow-safe for any `n`: the doubling saturates at `max`. The caller supplies the
/// random number (`ProxyCore` has no randomness source). An immutable value.
package struct Backoff: Hashable, Sendable {
    /// The ceiling of the first retry's wait.
    package let base: ProxyDuration
    /// The largest ceiling.
    package let max: ProxyDuration

    /// A backoff from `base` doubling up to `max`.
    package init(base: ProxyDuration, max: ProxyDuration) {
        self.base = base
        self.max = max
    }

    /// The backoff a route's `retry.backoff` configures.
    package init(_ config: BackoffConfig) {
        self.init(base: config.base, max: config.max)
    }

    /// The ceiling for retry `n`: min(max, base × 2^n), without overflow.
    package func ceiling(retry n: Int) -> ProxyDuration {
        let shift = Swift.max(0, n)
        guard base.nanoseconds > 0 else { return .zero }
        // base << shift keeps every bit iff shift <= leadingZeroBitCount (< 64, as base > 0).
        guard shift <= base.nanoseconds.leadingZeroBitCount else { return max }
        return Swift.min(max, ProxyDuration(nanoseconds: base.nanoseconds << UInt64(shift)))
    }

    /// The wait before retry `n`, from a uniformly random `random`: in [0, ceiling(retry: n)].
    package func delay(retry n: Int, random: UInt64) -> ProxyDuration {
        let ceiling = ceiling(retry: n).nanoseconds
        // Scale random / 2^64 onto [0, ceiling]: the high word of random × (ceiling + 1).
        guard ceiling < .max else { return ProxyDuration(nanoseconds: random) }
        return ProxyDuration(nanoseconds: random.multipliedFullWidth(by: ceiling + 1).high)
    }
}
