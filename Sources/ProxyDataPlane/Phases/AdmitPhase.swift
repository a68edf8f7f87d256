import ProxyCore
import ProxyIO

/// Phase 3, admit (after inspect, which finds the model): the consumer's model rights, then
/// its request limits. Anonymous requests have neither. The limit's status stays in the
/// context for the `x-ratelimit-*-requests` headers of whatever answer the request gets.
///
/// Where the limits are counted: without Redis, in the consumer's shared in-process
/// `RequestRateLimiter` (lock-free, answered at once). With Redis in sync mode, in its
/// `SyncedRequestLimiter` (answered at once). With Redis in strict mode, by the counter script
/// on the consumer's node: the phase returns `.suspend` and the session resumes with `finish`.
/// When Redis cannot answer (in time), the gateway's `failMode` decides (`failed`).
enum AdmitPhase {
    static func run(consumers: ConsumerTable, context: inout RequestContext, now: ProxyInstant, on loopSnapshot: LoopSnapshot,
                    loop: LoopContext, waiter: some AdmissionWaiter) -> PhaseResult {
        guard let index = context.consumer else { return .next }
        guard consumers.allows(index, model: context.clientModel) else {
            let model = context.clientModel ?? ""
            return .answer(LocalAnswer(status: 403, code: "model_not_allowed",
                                       message: "consumer \"\(context.consumerName)\" may not use model \"\(model)\""))
        }
        guard let limiter = consumers.consumers[index].limiter else { return .next }
        guard let redis = loopSnapshot.snapshot.redis else {
            return decided(limiter.acquire(at: now), context: &context, on: loopSnapshot)
        }
        switch redis.config.mode {
        case .sync:
            guard let synced = redis.synced[index] else { return .next }
            switch synced.acquire(at: now) {
            case .decided(let decision): return decided(decision, context: &context, on: loopSnapshot)
            case .stale: return failed(redis.config, limiter: limiter, context: &context, now: now, on: loopSnapshot)
            }
        case .strict:
            guard let store = loop.redis.store(for: redis) else {
                loop.redis.recordFailure(.unavailable("no Redis client"), failMode: redis.config.failMode)
                return failed(redis.config, limiter: limiter, context: &context, now: now, on: loopSnapshot)
            }
            StrictAdmission.start(store: store, keys: redis.requestKeys[index], limits: limiter.limits, timeout: redis.config.timeout,
                                  scheduler: loop.scheduler) { [waiter] outcome in waiter.admissionCompleted(outcome) }
            return .suspend
        }
    }

    /// The strict-mode admission completed: its decision, or `failMode` when Redis failed.
    static func finish(_ outcome: StrictAdmission.Outcome, consumers: ConsumerTable, context: inout RequestContext,
                       now: ProxyInstant, on loopSnapshot: LoopSnapshot, loop: LoopContext) -> PhaseResult {
        guard let index = context.consumer, let limiter = consumers.consumers[index].limiter,
              let redis = loopSnapshot.snapshot.redis else { return .next }
        switch outcome {
        case .success(let decision):
            loop.redis.recordSuccess()
            return decided(decision, context: &context, on: loopSnapshot)
        case .failure(let failure):
            loop.redis.recordFailure(failure, failMode: redis.config.failMode)
            return failed(redis.config, limiter: limiter, context: &context, now: now, on: loopSnapshot)
        }
    }

    /// Redis could not decide: `open` admits against the in-process limiter (the limit then
    /// holds per pod), `closed` answers 503 `limits_unavailable`.
    private static func failed(_ config: RedisConfig, limiter: RequestRateLimiter, context: inout RequestContext,
                               now: ProxyInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch config.failMode {
        case .open:
            return decided(limiter.acquire(at: now), context: &context, on: loopSnapshot)
        case .closed:
            return .answer(LocalAnswer(status: 503, code: "limits_unavailable",
                                       message: "the gateway cannot check the rate limits of consumer \"\(context.consumerName)\" now (its Redis does not answer); retry later",
                                       retryAfterSeconds: 1))
        }
    }

    private static func decided(_ decision: RateLimitDecision, context: inout RequestContext, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch decision {
        case .admitted(let status):
            context.requestLimit = status
            return .next
        case .limited(let status):
            context.requestLimit = status
            loopSnapshot.rateLimited(consumer: context.consumer, reason: "requests").increment()
            return .answer(LocalAnswer(status: 429, code: "rate_limit_exceeded",
                                       message: "rate limit of \(status.limit) requests reached for consumer \"\(context.consumerName)\"; retry in \(status.resetText)",
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }
}
