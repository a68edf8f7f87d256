/// A point in monotonic time, in nanoseconds since an arbitrary origin.
///
/// `ProxyCore` never reads a clock: every timeout, backoff, bucket refill and TTL
/// receives the current instant from its caller, which takes it from a `ProxyClock`.
package struct ProxyInstant: Comparable, Hashable, Sendable {
    package var nanoseconds: UInt64

    package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    package static func < (lhs: ProxyInstant, rhs: ProxyInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` later, saturating instead of overflowing.
    package func advanced(by duration: ProxyDuration) -> ProxyInstant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(duration.nanoseconds)
        return ProxyInstant(nanoseconds: overflow ? .max : sum)
    }

    /// The time from `earlier` to `self`, or zero when `earlier` is later.
    package func duration(since earlier: ProxyInstant) -> ProxyDuration {
        ProxyDuration(nanoseconds: nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0)
    }
}

/// A non-negative span of time in nanoseconds.
package struct ProxyDuration: Comparable, Hashable, Sendable {
    package var nanoseconds: UInt64

    package init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    package static let zero = ProxyDuration(nanoseconds: 0)

    package static func milliseconds(_ value: UInt64) -> ProxyDuration {
        ProxyDuration(nanoseconds: value.multipliedReportingOverflow(by: 1_000_000).overflow ? .max : value &* 1_000_000)
    }

    package static func seconds(_ value: UInt64) -> ProxyDuration {
        ProxyDuration(nanoseconds: value.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : value &* 1_000_000_000)
    }

    package var milliseconds: UInt64 { nanoseconds / 1_000_000 }

    package static func < (lhs: ProxyDuration, rhs: ProxyDuration) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}

/// The source of "now" for everything above `ProxyCore`.
///
/// The I/O layer provides the monotonic implementation; tests provide a manual one.
/// Implementations must be safe to call from any thread.
package protocol ProxyClock: Sendable {
    /// The current monotonic instant.
    func now() -> ProxyInstant
    /// The current wall-clock time in nanoseconds since the Unix epoch, for logs and metrics timestamps.
    func wallNanoseconds() -> UInt64
}
