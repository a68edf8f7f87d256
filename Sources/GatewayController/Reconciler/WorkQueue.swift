import KubeAPI
import ProxyCore
import Synchronization

/// The reconciler's work queue, as client-go's: each key is queued at most once, a key being
/// processed is not handed to a second worker (a change meanwhile queues it again when it is
/// done), and a failed key comes back after a per-key exponential backoff.
///
/// Thread-safe: `add` may be called from any thread (informer watch threads); `next()` from
/// worker tasks. Waiting for the backoff uses the injected `sleep`, so tests run without delays.
package final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Key] = []
        /// Keys that must be processed (queued, or waiting for their processing to end).
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var failures: [Key: Int] = [:]
        var waiters: [CheckedContinuation<Key?, Never>] = []
        var shutDown = false
    }

    private let state = Mutex(State())
    package let backoff: Backoff
    private let sleep: Informer.Sleep

    package init(backoff: Backoff = Backoff(base: .milliseconds(100), max: .seconds(60)), sleep: @escaping Informer.Sleep = Informer.taskSleep) {
        self.backoff = backoff
        self.sleep = sleep
    }

    /// Queues `key` unless it is already waiting.
    package func add(_ key: Key) {
        let handed = state.withLock { state -> (CheckedContinuation<Key?, Never>, Key)? in
            guard !state.shutDown, !state.dirty.contains(key) else { return nil }
            state.dirty.insert(key)
            guard !state.processing.contains(key) else { return nil }
            state.queue.append(key)
            return Self.handOut(&state)
        }
        if let (waiter, next) = handed { waiter.resume(returning: next) }
    }

    /// The next key to process, waiting for one; nil once the queue is shut down. Call
    /// `done(_:)` when finished with it.
    package func next() async -> Key? {
        if let ready = state.withLock({ state -> Key?? in
            if state.shutDown { return .some(nil) }
            guard !state.queue.isEmpty else { return nil }
            let key = state.queue.removeFirst()
            state.dirty.remove(key)
            state.processing.insert(key)
            return .some(key)
        }) {
            return ready
        }
        return await withCheckedContinuation { continuation in
            let immediate: Key?? = state.withLock { state in
                if state.shutDown { return .some(nil) }
                if !state.queue.isEmpty {
                    let key = state.queue.removeFirst()
                    state.dirty.remove(key)
                    state.processing.insert(key)
                    return .some(key)
                }
                state.waiters.append(continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Ends the processing of `key`; if it changed meanwhile it is queued again.
    package func done(_ key: Key) {
        let handed = state.withLock { state -> (CheckedContinuation<Key?, Never>, Key)? in
            state.processing.remove(key)
            guard state.dirty.contains(key), !state.shutDown else { return nil }
            state.queue.append(key)
            return Self.handOut(&state)
        }
        if let (waiter, next) = handed { waiter.resume(returning: next) }
    }

    /// Queues `key` again after its backoff (which doubles with each consecutive failure).
    /// Returns the delay chosen.
    @discardableResult
    package func addRateLimited(_ key: Key) -> ProxyDuration {
        let failures = state.withLock { state -> Int in
            state.failures[key, default: 0] += 1
            return state.failures[key]!
        }
        // The ceiling itself, without jitter: keys of one controller do not fail in crowds.
        let delay = backoff.ceiling(retry: failures - 1)
        let sleep = self.sleep
        Task.detached { [self] in
            await sleep(delay)
            add(key)
        }
        return delay
    }

    /// Forgets `key`'s failures (after a success), so its next failure waits the initial delay.
    package func forget(_ key: Key) {
        state.withLock { _ = $0.failures.removeValue(forKey: key) }
    }

    /// Consecutive failures of `key` so far.
    package func failures(of key: Key) -> Int { state.withLock { $0.failures[key] ?? 0 } }

    /// Keys waiting to be processed.
    package var depth: Int { state.withLock { $0.queue.count } }

    /// Wakes every waiting worker with nil; later `add`s are ignored.
    package func shutDown() {
        let waiters = state.withLock { state in
            state.shutDown = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Hands the first queued key to a waiting worker, if there is one. Called with the lock held.
    private static func handOut(_ state: inout State) -> (CheckedContinuation<Key?, Never>, Key)? {
        guard !state.waiters.isEmpty, !state.queue.isEmpty else { return nil }
        let waiter = state.waiters.removeFirst()
        let key = state.queue.removeFirst()
        state.dirty.remove(key)
        state.processing.insert(key)
        return (waiter, key)
    }
}
