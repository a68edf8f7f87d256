@testable import ProxyDataPlane
import ProxyCore
import ProxyIO

/// A `SharedCounters` the test answers: each operation waits in `pending` until the test
/// completes it, as Redis would answer (or fail) a command.
final class ScriptedCounters: SharedCounters {
    struct Operation {
        let key: String
        let delta: Int64
        let limit: Int64?
        let window: RedisWindow
        let completion: (Result<RedisWindowCount, RedisFailure>) -> Void
    }

    private(set) var pending: [Operation] = []
    private(set) var closed = false

    func increment(_ key: RedisCounterKey, by delta: Int64, limit: Int64?, window: RedisWindow,
                   _ completion: @escaping (Result<RedisWindowCount, RedisFailure>) -> Void) {
        pending.append(Operation(key: key.description, delta: delta, limit: limit, window: window, completion: completion))
    }

    func close() { closed = true }

    /// Answers the oldest pending operation.
    func answer(_ result: Result<RedisWindowCount, RedisFailure>) {
        pending.removeFirst().completion(result)
    }

    /// Answers the oldest pending operation as the counter script does: `granted`, the count
    /// after, the time to reset, and (when nothing was granted) the time to retry.
    func answer(granted: Int64, count: Int64, resetAfter: ProxyDuration = .seconds(30), retryAfter: ProxyDuration = .zero) {
        answer(.success(RedisWindowCount(granted: granted, count: count, resetAfter: resetAfter, retryAfter: retryAfter)))
    }
}
