import ProxyCore

/// A cancellable one-shot timer on an event loop.
///
/// Loop-confined: create, cancel and fire only on the owning loop's thread. Cancelling
/// removes the timer from its loop's heap at once, so a request that cancels its timers
/// leaves nothing behind however far their deadlines were.
package final class LoopTimer {
    package let deadline: ProxyInstant
    let sequence: UInt64
    fileprivate(set) var callback: (() -> Void)?
    /// Position in the heap, or -1 once popped or cancelled.
    fileprivate var heapIndex = -1
    /// The loop whose heap holds the timer; it outlives its timers' use.
    fileprivate unowned(unsafe) var loop: EventLoop?

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

    /// Prevents the callback from running and takes the timer out of its loop's heap.
    package func cancel() {
        callback = nil
        if heapIndex >= 0, let loop { loop.timers.remove(self) }
    }

    package var isPending: Bool { callback != nil }
}

/// A binary min-heap of timers ordered by deadline, then by creation order; each timer knows
/// its index, so cancelling removes it in O(log n).
struct TimerHeap {
    private var heap: [LoopTimer] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    mutating func schedule(at deadline: ProxyInstant, loop: EventLoop, _ callback: @escaping () -> Void) -> LoopTimer {
        nextSequence &+= 1
        let timer = LoopTimer(deadline: deadline, sequence: nextSequence, callback: callback)
        timer.loop = loop
        timer.heapIndex = heap.count
        heap.append(timer)
        siftUp(heap.count - 1)
        return timer
    }

    /// The epoll timeout: -1 when nothing is scheduled, 0 when something is due.
    func millisecondsUntilNextDeadline(now: ProxyInstant) -> Int32 {
        guard let first = heap.first else { return -1 }
        if first.deadline <= now { return 0 }
        // Round up so we never wake before the deadline and spin.
        let nanos = first.deadline.duration(since: now).nanoseconds
        let millis = (nanos + 999_999) / 1_000_000
        return Int32(min(millis, UInt64(Int32.max)))
    }

    /// Removes and returns the earliest timer that is due.
    /// Callbacks run outside the heap's mutation, so they may schedule or cancel timers.
    mutating func popDue(now: ProxyInstant) -> LoopTimer? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        removeAt(0)
        return first
    }

    mutating func remove(_ timer: LoopTimer) {
        let index = timer.heapIndex
        guard index >= 0, index < heap.count, heap[index] === timer else { return }
        removeAt(index)
    }

    private mutating func removeAt(_ index: Int) {
        let removed = heap[index]
        removed.heapIndex = -1
        let last = heap.removeLast()
        guard index < heap.count else { return }
        heap[index] = last
        last.heapIndex = index
        siftDown(index)
        siftUp(last.heapIndex)
    }

    private static func before(_ a: LoopTimer, _ b: LoopTimer) -> Bool {
        a.deadline == b.deadline ? a.sequence < b.sequence : a.deadline < b.deadline
    }

    private mutating func swapAt(_ i: Int, _ j: Int) {
        heap.swapAt(i, j)
        heap[i].heapIndex = i
        heap[j].heapIndex = j
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { return }
            swapAt(child, parent)
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
            swapAt(smallest, parent)
            parent = smallest
        }
    }
}

extension EventLoop {
    /// Runs `callback` on this loop at or after `deadline`. Call on the loop's thread.
    @discardableResult
    package func schedule(at deadline: ProxyInstant, _ callback: @escaping () -> Void) -> LoopTimer {
        assertInLoop()
        return timers.schedule(at: deadline, loop: self, callback)
    }

    /// Runs `callback` on this loop after `delay`. Call on the loop's thread.
    @discardableResult
    package func schedule(after delay: ProxyDuration, _ callback: @escaping () -> Void) -> LoopTimer {
        schedule(at: clock.now().advanced(by: delay), callback)
    }

    /// Timers currently scheduled (for tests: cancelled timers must not linger).
    package var scheduledTimerCount: Int { timers.count }
}
