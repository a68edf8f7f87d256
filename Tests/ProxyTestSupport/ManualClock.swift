import ProxyCore
import Synchronization

/// A clock that moves only when a test advances it. Wall time starts at 2026-01-01T00:00:00Z.
/// Shared by the test targets (`ProxyTestSupport`); safe from any thread.
package final class ManualClock: ProxyClock {
    private let elapsed = Mutex<UInt64>(0)
    package static let wallOrigin: UInt64 = 1_767_225_600 * 1_000_000_000

    package init() {}

    package func now() -> ProxyInstant { ProxyInstant(nanoseconds: 1_000_000_000 + elapsed.withLock { $0 }) }

    package func wallNanoseconds() -> UInt64 { Self.wallOrigin + elapsed.withLock { $0 } }

    package func advance(_ duration: ProxyDuration) { elapsed.withLock { $0 += duration.nanoseconds } }
}
