import ProxyCore
import ProxyIO

/// What waits for a strict-mode admission (the session): told once, on the loop.
protocol AdmissionWaiter: AnyObject {
    func admissionCompleted(_ outcome: StrictAdmission.Outcome)
}

/// One strict-mode admission: the counter script for each of the consumer's request windows
/// and token meters, sent together (pipelined on the consumer's node, one hash tag), and a
/// timer, so the request gets its answer by `timeout` whatever Redis does — every counter's
/// answer, in the order given, or a failure for `failMode`.
///
/// A window that refuses after others counted leaves them counted, as in process: the windows
/// are nested, so the longer one stays full until an instant that resets the shorter ones too.
/// What token meters granted to a refused request is given back by the caller.
///
/// Loop-confined; `completion` runs once, on the loop, never inside `start`.
final class StrictAdmission {
    typealias Outcome = Result<[RedisWindowCount], RedisFailure>

    /// One counter to add to, up to its limit.
    struct Increment {
        let key: RedisCounterKey
        let delta: Int64
        let limit: Int64
        let window: RedisWindow
    }

    private var counts: [RedisWindowCount?]
    private var waiting: Int
    private let done: DeadlineCompletion<Outcome>

    private init(count: Int, done: DeadlineCompletion<Outcome>) {
        counts = Array(repeating: nil, count: count)
        waiting = count
        self.done = done
    }

    static func start(store: any SharedCounters, increments: [Increment], timeout: ProxyDuration,
                      scheduler: any SessionScheduler, _ completion: @escaping (Outcome) -> Void) {
        let done = DeadlineCompletion(timeout: timeout, scheduler: scheduler, timedOut: .failure(.timeout), completion)
        let admission = StrictAdmission(count: increments.count, done: done)
        for (index, increment) in increments.enumerated() {
            store.increment(increment.key, by: increment.delta, limit: increment.limit, window: increment.window) { [admission] result in
                admission.received(result, at: index)
            }
        }
    }

    /// The request windows' decision from their counters' answers (in `limits.windows` order):
    /// refused by the first window that granted nothing; otherwise the window with the fewest left.
    static func decision(_ limits: RequestRateLimits, counts: ArraySlice<RedisWindowCount>) -> RateLimitDecision {
        var tightest: RateLimitStatus?
        for (entry, count) in zip(limits.windows, counts) {
            if count.granted == 0 {
                let wait = count.retryAfter > .zero ? count.retryAfter : count.resetAfter
                return .limited(RateLimitStatus(limit: entry.limit, remaining: 0, reset: wait))
            }
            let remaining = max(0, entry.limit - Int(clamping: count.count))
            let status = RateLimitStatus(limit: entry.limit, remaining: remaining, reset: count.resetAfter)
            if tightest == nil || remaining < tightest!.remaining { tightest = status }
        }
        return .admitted(tightest)
    }

    private func received(_ result: Result<RedisWindowCount, RedisFailure>, at index: Int) {
        guard done.isPending else { return }
        switch result {
        case .failure(let failure):
            done.complete(.failure(failure))
        case .success(let count):
            counts[index] = count
            waiting -= 1
            if waiting == 0 { done.complete(.success(counts.map { $0! })) }
        }
    }
}
