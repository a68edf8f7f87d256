@testable import ProxyDataPlane
import ProxyCore

/// A `SessionScheduler` on virtual time: timers fire only when a test advances the clock.
final class ManualScheduler: SessionScheduler {
    final class Timer: SessionTimer {
        let deadline: ProxyInstant
        var work: (() -> Void)?
        init(deadline: ProxyInstant, work: @escaping () -> Void) {
            self.deadline = deadline
            self.work = work
        }
        func cancel() { work = nil }
    }

    private(set) var instant = ProxyInstant(nanoseconds: 1_000_000_000)
    private var timers: [Timer] = []

    func now() -> ProxyInstant { instant }
    func wallNanoseconds() -> UInt64 { 1_765_000_000_000_000_000 + instant.nanoseconds }

    func schedule(at deadline: ProxyInstant, _ work: @escaping () -> Void) -> any SessionTimer {
        let timer = Timer(deadline: deadline, work: work)
        timers.append(timer)
        return timer
    }

    /// Timers that will still fire.
    var pendingCount: Int { timers.filter { $0.work != nil }.count }

    /// Moves time forward by `duration`, firing every timer that falls due, in deadline order.
    func advance(by duration: ProxyDuration) {
        let target = instant.advanced(by: duration)
        while let next = timers.filter({ $0.work != nil && $0.deadline <= target }).min(by: { $0.deadline < $1.deadline }) {
            instant = max(instant, next.deadline)
            let work = next.work
            next.work = nil
            work?()
        }
        instant = target
        timers.removeAll { $0.work == nil }
    }
}
