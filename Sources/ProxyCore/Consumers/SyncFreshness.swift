import Synchronization

/// When counts reconciled with Redis were last confirmed (sync mode, ADR 0009): after
/// `staleAfter` without a successful sync they are stale, and the gateway's `failMode` decides.
/// Shared by every event loop without a lock.
package final class SyncFreshness: Sendable {
    package let staleAfter: ProxyDuration
    /// When the last sync succeeded (or the tracker was made), in nanoseconds.
    private let lastSync: Atomic<UInt64>

    package init(staleAfter: ProxyDuration, now: ProxyInstant) {
        self.staleAfter = staleAfter
        lastSync = Atomic(now.nanoseconds)
    }

    /// Whether the last successful sync is older than `staleAfter`.
    package func isStale(at now: ProxyInstant) -> Bool {
        now.nanoseconds > lastSync.load(ordering: .relaxed) &+ staleAfter.nanoseconds
    }

    /// A sync succeeded at `now`.
    package func synced(at now: ProxyInstant) {
        lastSync.store(now.nanoseconds, ordering: .relaxed)
    }
}
