import Synchronization

/// The bytes of request bodies and held responses the whole process may buffer at once
/// (`defaults.maxBufferedBytes`). Without it, fifty concurrent 7.5 MB bodies took a sidecar
/// from 20 MB to a 754 MB peak: an OOM kill under a pod's memory limit. A request whose
/// buffering would pass the budget is answered 503 with `Retry-After`; a held response that
/// would pass it is committed instead of held.
///
/// Shared by every loop (atomics, no lock); the limit follows the config snapshot.
package final class BufferBudget: Sendable {
    private let used = Atomic<Int>(0)
    private let limitBytes: Atomic<Int>
    /// The most bytes ever reserved at once since the last `takePeak()`.
    private let peak = Atomic<Int>(0)

    package init(limit: Int) {
        limitBytes = Atomic(limit)
    }

    package var limit: Int { limitBytes.load(ordering: .relaxed) }
    package var inUse: Int { used.load(ordering: .relaxed) }

    /// Applies a new config's budget; reservations already made stay.
    package func setLimit(_ limit: Int) {
        limitBytes.store(limit, ordering: .relaxed)
    }

    /// Takes `bytes` from the budget if they fit. Give them back with `release` exactly once.
    package func reserve(_ bytes: Int) -> BufferReservation {
        guard bytes > 0 else { return .granted }
        let limit = limitBytes.load(ordering: .relaxed)
        var current = used.load(ordering: .relaxed)
        while true {
            let (next, overflow) = current.addingReportingOverflow(bytes)
            guard !overflow, next <= limit else { return .refused }
            let (exchanged, actual) = used.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged {
                var high = peak.load(ordering: .relaxed)
                while next > high {
                    let (done, seen) = peak.compareExchange(expected: high, desired: next, ordering: .relaxed)
                    if done { break }
                    high = seen
                }
                return .granted
            }
            current = actual
        }
    }

    /// Counts `bytes` that must be buffered whatever the budget says (the rewritten copy of a
    /// body already admitted); later reservations see them. Give them back with `release`.
    package func charge(_ bytes: Int) {
        guard bytes > 0 else { return }
        used.add(bytes, ordering: .relaxed)
    }

    package func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        let previous = used.subtract(bytes, ordering: .relaxed).oldValue
        precondition(previous >= bytes, "BufferBudget released more than was reserved")
    }

    /// The high-water mark since the last call, then resets it to what is in use now.
    package func takePeak() -> Int {
        peak.exchange(used.load(ordering: .relaxed), ordering: .relaxed)
    }
}

/// Whether a `BufferBudget` reservation was granted.
package enum BufferReservation: Hashable, Sendable {
    case granted
    case refused
}
