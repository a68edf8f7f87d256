import Synchronization

/// A backend's `maxConcurrentRequests` with its bounded wait queue, shared by every event
/// loop: the limit is the backend's, not a per-loop share. The queue is ordered by priority
/// (0 is the highest), FIFO within a priority; a request that finds the queue full displaces
/// the newest waiter of the lowest priority below its own, if there is one (that waiter is
/// shed), else it is refused (`queueFull`). `reserved` of the slots are for the top priority
/// (0) only: a lower one queues when only those are free, and a freed slot is handed to a
/// lower-priority head of the queue only while it leaves the reserved ones free.
///
/// **Threading.** Safe to call from any loop. The in-flight count is an `Atomic`; while no
/// request waits, `acquire` and `release` are a compare-exchange and a decrement, lock-free.
/// Only when the backend is saturated (someone waits) do they take the queue's `Mutex`, for
/// a few instructions. A slot released while requests wait is handed to the head of the
/// queue directly (it never becomes free for a newcomer to take first), and `release`
/// returns that waiter's ticket: the caller must pass the grant to the ticket's loop. No
/// wake-up is lost: an enqueuer publishes itself before re-checking for a free slot, and a
/// releaser frees its slot before looking for waiters (both sequentially consistent).
///
/// **Caller's duties.** Every `.granted` (and every ticket returned by `release`) is one
/// slot: release it exactly once when the attempt ends. A queued request whose deadline
/// passes calls `cancel`; if that returns false the slot was already handed to it.
package final class ConcurrencyLimiter: Sendable {
    /// The most requests in flight.
    package let limit: Int
    /// The most requests waiting; 0: none wait.
    package let queueSize: Int
    /// The longest a request waits.
    package let maxWait: ProxyDuration
    /// Slots only priority 0 may take (0 to `limit - 1`).
    package let reserved: Int

    private let inFlightCount = Atomic<Int>(0)
    private let waitingCount = Atomic<Int>(0)
    private let nextTicket = Atomic<UInt64>(1)
    private let queue = Mutex<[(ticket: ConcurrencyTicket, deadline: ProxyInstant, priority: Int)]>([])

    /// A limiter of `limit` (at least 1) with a queue of `queueSize` waiting at most `maxWait`,
    /// `reserved` slots (clamped to 0 … `limit - 1`) kept for priority 0.
    package init(limit: Int, queueSize: Int = 0, maxWait: ProxyDuration = .zero, reserved: Int = 0) {
        self.limit = max(1, limit)
        self.queueSize = max(0, queueSize)
        self.maxWait = maxWait
        self.reserved = min(max(0, reserved), self.limit - 1)
    }

    /// The limiter a backend's config asks for, or nil when it sets no `maxConcurrentRequests`;
    /// `reservedPercent` (`defaults.priorities.reservedPercent`) of its slots kept for the top class.
    package convenience init?(_ backend: BackendConfig, reservedPercent: Int? = nil) {
        guard let limit = backend.maxConcurrentRequests else { return nil }
        self.init(limit: limit, queueSize: backend.queue.size, maxWait: backend.queue.maxWait,
                  reserved: Self.reservedSlots(limit: limit, percent: reservedPercent ?? 0))
    }

    /// The slots `percent` of `limit` reserves: rounded up, so any share reserves at least one
    /// slot, but never every slot (at most `limit - 1`).
    package static func reservedSlots(limit: Int, percent: Int) -> Int {
        guard percent > 0, limit > 1 else { return 0 }
        return min((limit * percent + 99) / 100, limit - 1)
    }

    /// Requests holding a slot now.
    package var inFlight: Int { inFlightCount.load(ordering: .sequentiallyConsistent) }
    /// Requests waiting now.
    package var waiting: Int { waitingCount.load(ordering: .sequentiallyConsistent) }

    /// Asks for a slot for a request of `priority` (0 is the highest) on loop `owner` at `now`.
    package func acquire(at now: ProxyInstant, owner: Int, priority: Int = 0) -> ConcurrencyDecision {
        // Newcomers never overtake waiters.
        if waitingCount.load(ordering: .sequentiallyConsistent) == 0, tryTakeSlot(priority: priority) { return .granted }
        guard queueSize > 0 else { return .rejected(.noQueue) }
        return queue.withLock { waiters in
            var displaced: ConcurrencyTicket? = nil
            if waiters.count >= queueSize {
                // The newest waiter of the lowest priority is the last; shed it only for a higher one.
                guard let last = waiters.last, last.priority > priority else { return .rejected(.queueFull) }
                displaced = waiters.removeLast().ticket
                waitingCount.subtract(1, ordering: .sequentiallyConsistent)
            }
            let ticket = ConcurrencyTicket(id: nextTicket.add(1, ordering: .relaxed).oldValue, owner: owner)
            let deadline = now.advanced(by: maxWait)
            // After every waiter of the same or a higher priority: FIFO within a priority.
            let position = (waiters.lastIndex { $0.priority <= priority } ?? -1) + 1
            waiters.insert((ticket, deadline, priority), at: position)
            waitingCount.add(1, ordering: .sequentiallyConsistent)
            // At the head: a slot freed since the failed attempt above (by a releaser that saw no
            // waiter), or a reserved one while only lower priorities wait.
            if position == 0, tryTakeSlot(priority: priority) {
                waiters.removeFirst()
                waitingCount.subtract(1, ordering: .sequentiallyConsistent)
                return .granted
            }
            return .queued(ticket, position: position + 1, deadline: deadline, displaced: displaced)
        }
    }

    /// Takes a free slot without queueing (and never ahead of waiters): for background work such
    /// as warmup pings, which skip a turn rather than wait. Give it back with `release()`.
    package func tryAcquireWithoutQueueing() -> Bool {
        waitingCount.load(ordering: .sequentiallyConsistent) == 0 && tryTakeSlot(priority: .max)
    }

    /// Gives a slot back. Returns the ticket of the waiter that now holds it, if any: the
    /// caller must resume that request on loop `ticket.owner`.
    package func release() -> ConcurrencyTicket? {
        let previous = inFlightCount.subtract(1, ordering: .sequentiallyConsistent).oldValue
        precondition(previous > 0, "ConcurrencyLimiter.release() without a slot")
        guard waitingCount.load(ordering: .sequentiallyConsistent) > 0 else { return nil }
        return queue.withLock { waiters in
            // The head has the highest priority waiting: if it may not take the slot, none may.
            guard let head = waiters.first, tryTakeSlot(priority: head.priority) else { return nil }
            waitingCount.subtract(1, ordering: .sequentiallyConsistent)
            return waiters.removeFirst().ticket
        }
    }

    /// Removes a waiting request (its client left, or its deadline passed). False when it is
    /// no longer waiting: a slot was handed to it and it must `release()` it.
    package func cancel(_ ticket: ConcurrencyTicket) -> Bool {
        queue.withLock { waiters in
            guard let index = waiters.firstIndex(where: { $0.ticket == ticket }) else { return false }
            waiters.remove(at: index)
            waitingCount.subtract(1, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Removes and returns loop `owner`'s waiters whose deadline is at or before `now`, in
    /// queue order: each falls back (or gets 503) with `LocalRejection.queueTimeout`.
    package func expire(at now: ProxyInstant, owner: Int) -> [ConcurrencyTicket] {
        guard waitingCount.load(ordering: .sequentiallyConsistent) > 0 else { return [] }
        return queue.withLock { waiters in
            var expired: [ConcurrencyTicket] = []
            waiters.removeAll { waiter in
                guard waiter.ticket.owner == owner, waiter.deadline <= now else { return false }
                expired.append(waiter.ticket)
                return true
            }
            waitingCount.subtract(expired.count, ordering: .sequentiallyConsistent)
            return expired
        }
    }

    /// Takes a slot if one is free for `priority` (the reserved ones only for 0).
    private func tryTakeSlot(priority: Int) -> Bool {
        let usable = priority == 0 ? limit : limit - reserved
        var current = inFlightCount.load(ordering: .sequentiallyConsistent)
        while current < usable {
            let (exchanged, actual) = inFlightCount.compareExchange(expected: current, desired: current + 1,
                                                                    ordering: .sequentiallyConsistent)
            if exchanged { return true }
            current = actual
        }
        return false
    }
}
