import ProxyCore
import ProxyIO

/// What waits for a strict-mode admission (the session): told once, on the loop.
protocol AdmissionWaiter: AnyObject {
    func admissionCompleted(_ outcome: StrictAdmission.Outcome)
}

/// One strict-mode admission: the counter script for each of the consumer's request windows,
/// sent together (pipelined on the consumer's node), and a timer, so the request gets its
/// answer by `timeout` whatever Redis does — the decision, or a failure for `failMode`.
///
/// A window that refuses after others counted leaves them counted, as in process: the windows
/// are nested, so the longer one stays full until an instant that resets the shorter ones too.
///
/// Loop-confined; `completion` runs once, on the loop, never inside `start`.
final class StrictAdmission {
    typealias Outcome = Result<RateLimitDecision, RedisFailure>

    private let limits: [(window: RateLimitWindow, limit: Int)]
    private var counts: [RedisWindowCount?]
    private var waiting: Int
    private let done: DeadlineCompletion<Outcome>

    private init(limits: RequestRateLimits, done: DeadlineCompletion<Outcome>) {
        self.limits = limits.windows
        counts = Array(repeating: nil, count: self.limits.count)
        waiting = self.limits.count
        self.done = done
    }

    /// `keys` are the consumer's request keys, in `limits.windows` order.
    static func start(store: any SharedCounters, keys: [RedisCounterKey], limits: RequestRateLimits, timeout: ProxyDuration,
                      scheduler: any SessionScheduler, _ completion: @escaping (Outcome) -> Void) {
        let done = DeadlineCompletion(timeout: timeout, scheduler: scheduler, timedOut: .failure(.timeout), completion)
        let admission = StrictAdmission(limits: limits, done: done)
        for (index, entry) in admission.limits.enumerated() {
            store.increment(keys[index], by: 1, limit: Int64(entry.limit), window: RedisLimits.redisWindow(entry.window)) { [admission] result in
                admission.received(result, at: index)
            }
        }
    }

    private func received(_ result: Result<RedisWindowCount, RedisFailure>, at index: Int) {
        guard done.isPending else { return }
        switch result {
        case .failure(let failure):
            done.complete(.failure(failure))
        case .success(let count):
            counts[index] = count
            waiting -= 1
            if waiting == 0 { done.complete(.success(decision())) }
        }
    }

    /// Refused by the first window that granted nothing; otherwise the window with the fewest left.
    private func decision() -> RateLimitDecision {
        var tightest: RateLimitStatus?
        for (index, entry) in limits.enumerated() {
            guard let count = counts[index] else { continue }
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
}
