@testable import ProxyDataPlane
import ProxyCore
import ProxyTestSupport

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

    /// The time every part of the harness reads: the scheduler, the data plane, the backends.
    let clock = ManualClock()
    private var timers: [Timer] = []

    var instant: ProxyInstant { clock.now() }
    func now() -> ProxyInstant { clock.now() }
    func wallNanoseconds() -> UInt64 { clock.wallNanoseconds() }

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
            if next.deadline > instant { clock.advance(next.deadline.duration(since: instant)) }
            let work = next.work
            next.work = nil
            work?()
        }
        if target > instant { clock.advance(target.duration(since: instant)) }
        timers.removeAll { $0.work == nil }
    }
}
