import ProxyCore
import Synchronization

/// A clock that moves only when a test advances it. Wall time starts at 2026-01-01T00:00:00Z.
final class ManualClock: ProxyClock {
    private let elapsed = Mutex<UInt64>(0)
    static let wallOrigin: UInt64 = 1_767_225_600 * 1_000_000_000

    func now() -> ProxyInstant { ProxyInstant(nanoseconds: 1_000_000_000 + elapsed.withLock { $0 }) }

    func wallNanoseconds() -> UInt64 { Self.wallOrigin + elapsed.withLock { $0 } }

    func advance(_ duration: ProxyDuration) { elapsed.withLock { $0 += duration.nanoseconds } }
}
