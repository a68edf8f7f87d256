import Synchronization

/// When the sync step (ADR 0009, ADR 0026) pushes one shared counter: every interval while it
/// changes here and for `idleRefresh` after its last change (so a busy counter's view follows
/// the other sidecars closely), and once per `idleRefresh` while it stays idle (so idle
/// consumers cost one command per counter per `idleRefresh`, not per interval). Touched only by
/// the sync step; atomics because the counters it paces are shared by every loop.
package final class SyncPacing: Sendable {
    /// When the counter last had a change to push (nanoseconds); 0: never.
    private let changedAt = Atomic<UInt64>(0)
    /// When it was last pushed, changed or not (nanoseconds); 0: never.
    private let pushedAt = Atomic<UInt64>(0)

    package init() {}

    /// Whether to push the counter at `now`, its change since the last push being `changed`;
    /// records the push when it says yes. The first call always says yes (the first sync reads
    /// every counter).
    package func shouldPush(changed: Bool, at now: ProxyInstant, idleRefresh: ProxyDuration) -> Bool {
        let time = now.nanoseconds
        if changed {
            changedAt.store(time, ordering: .relaxed)
        } else {
            let pushed = pushedAt.load(ordering: .relaxed)
            let changed = changedAt.load(ordering: .relaxed)
            let recentlyChanged = changed != 0 && time &- changed < idleRefresh.nanoseconds
            guard pushed == 0 || recentlyChanged || time &- pushed >= idleRefresh.nanoseconds else { return false }
        }
        pushedAt.store(time, ordering: .relaxed)
        return true
    }
}
