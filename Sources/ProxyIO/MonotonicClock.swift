import CLinuxShims
import ProxyCore

/// The real clock: `CLOCK_MONOTONIC` for instants, `CLOCK_REALTIME` for timestamps.
package struct MonotonicClock: ProxyClock {
    package init() {}

    package func now() -> ProxyInstant { ProxyInstant(nanoseconds: sluice_monotonic_ns()) }

    package func wallNanoseconds() -> UInt64 { sluice_realtime_ns() }
}
