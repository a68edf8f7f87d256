import ProxyCore

/// A cancellable timer on an event loop: one-shot (`schedule`), or made once and armed again
/// as often as needed (`makeTimer`, `arm(_:at:)`), which spares an object and a closure each time.
///
/// Loop-confined: create, arm, cancel and fire only on the owning loop's thread. Cancelling
/// removes the timer from its loop's heap at once, so a request that cancels its timers
/// leaves nothing behind however far their deadlines were.
package final class LoopTimer {
    package fileprivate(set) var deadline: ProxyInstant
    fileprivate(set) var sequence: UInt64
    /// What runs when the timer fires; nil when cancelled, fired or not armed.
    fileprivate(set) var callback: (() -> Void)?
    /// The action a re-armable timer runs each time it is armed (nil for a one-shot timer).
    fileprivate let action: (() -> Void)?
    /// Position in the heap, or -1 once popped or cancelled.
    fileprivate var heapIndex = -1
    /// The loop whose heap holds the timer; it outlives its timers' use.
    fileprivate unowned(unsafe) var loop: EventLoop?

    init(deadline: ProxyInstant, sequence: UInt64, callback: @escaping () -> Void) {
        self.deadline = deadline
        self.sequence = sequence
        self.callback = callback
        action = nil
    }

    /// A re-armable timer, not armed yet.
    fileprivate init(action body: @escaping () -> Void) {
        deadline = ProxyInstant(nanoseconds: 0)
        sequence = 0
        action = body
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
        insert(timer)
        return timer
    }

    /// Arms a re-armable timer for `deadline`, moving it when it is armed already.
    mutating func arm(_ timer: LoopTimer, at deadline: ProxyInstant, loop: EventLoop) {
        precondition(timer.action != nil, "arm(_:at:) needs a timer from makeTimer")
        remove(timer)
        nextSequence &+= 1
        timer.deadline = deadline
        timer.sequence = nextSequence
        timer.callback = timer.action
        timer.loop = loop
        insert(timer)
    }

    private mutating func insert(_ timer: LoopTimer) {
        timer.heapIndex = heap.count
        heap.append(timer)
        siftUp(heap.count - 1)
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

    /// A timer that runs `action` each time it is armed (`arm(_:at:)`) and fires; not armed yet.
    /// Call on the loop's thread. `action` is kept for the timer's life: capture its owner
    /// `unowned`, or drop the timer when done with it.
    package func makeTimer(_ action: @escaping () -> Void) -> LoopTimer {
        LoopTimer(action: action)
    }

    /// Arms `timer` (from `makeTimer`) to fire at `deadline`; an armed one moves. Call on the loop's thread.
    package func arm(_ timer: LoopTimer, at deadline: ProxyInstant) {
        assertInLoop()
        timers.arm(timer, at: deadline, loop: self)
    }

    /// Runs `callback` on this loop after `delay`. Call on the loop's thread.
    @discardableResult
    package func schedule(after delay: ProxyDuration, _ callback: @escaping () -> Void) -> LoopTimer {
        schedule(at: clock.now().advanced(by: delay), callback)
    }

    /// Timers currently scheduled (for tests: cancelled timers must not linger).
    package var scheduledTimerCount: Int { timers.count }
}
