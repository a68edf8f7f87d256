import ProxyCore

/// A cancellable one-shot timer on an event loop.
///
/// Loop-confined: create, cancel and fire only on the owning loop's thread.
package final class LoopTimer {
    package let deadline: ProxyInstant
    let sequence: UInt64
    fileprivate(set) var callback: (() -> Void)?

    init(deadline: ProxyInstant, sequence: UInt64, callback: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.callback = callback
    }

    func fire() {
        let body = callback
        callback = nil
        body?()
    }

    /// Prevents the callback from running; cheap, the heap entry is dropped lazily.
    package func cancel() { callback = nil }

    package var isPending: Bool { callback != nil }
}

/// A binary min-heap of timers ordered by deadline, then by creation order.
struct TimerHeap {
    private var heap: [LoopTimer] = []
    private var nextSequence: UInt64 = 0

    mutating func schedule(at deadline: ProxyInstant, _ callback: @escaping () -> Void) -> LoopTimer {
        nextSequence &+= 1
        let timer = LoopTimer(deadline: deadline, sequence: nextSequence, callback: callback)
        heap.append(timer)
        siftUp(heap.count - 1)
        return timer
    }

    /// The epoll timeout: -1 when nothing is scheduled, 0 when something is due.
    mutating func millisecondsUntilNextDeadline(now: ProxyInstant) -> Int32 {
        while let first = heap.first, first.callback == nil { popFirst() }
        guard let first = heap.first else { return -1 }
        if first.deadline <= now { return 0 }
        // Round up so we never wake before the deadline and spin.
        let nanos = first.deadline.duration(since: now).nanoseconds
        let millis = (nanos + 999_999) / 1_000_000
        return Int32(min(millis, UInt64(Int32.max)))
    }

    /// Removes and returns the earliest timer that is due and not cancelled.
    /// Callbacks run outside the heap's mutation, so they may schedule new timers.
    mutating func popDue(now: ProxyInstant) -> LoopTimer? {
        while let first = heap.first, first.deadline <= now {
            popFirst()
            if first.callback != nil { return first }
        }
        return nil
    }

    private mutating func popFirst() {
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
    }

    private static func before(_ a: LoopTimer, _ b: LoopTimer) -> Bool {
        a.deadline == b.deadline ? a.sequence < b.sequence : a.deadline < b.deadline
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, Self.before(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard Self.before(heap[smallest], heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}

extension EventLoop {
    /// Runs `callback` on this loop at or after `deadline`. Call on the loop's thread.
    @discardableResult
    package func schedule(at deadline: ProxyInstant, _ callback: @escaping () -> Void) -> LoopTimer {
        assertInLoop()
        return timers.schedule(at: deadline, callback)
    }

    /// Runs `callback` on this loop after `delay`. Call on the loop's thread.
    @discardableResult
    package func schedule(after delay: ProxyDuration, _ callback: @escaping () -> Void) -> LoopTimer {
        schedule(at: clock.now().advanced(by: delay), callback)
    }
}
