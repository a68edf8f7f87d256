import ProxyCore
import ProxyIO

/// Phase 3, admit (after inspect, which finds the model): the consumer's model rights, then
/// its request limits, then its token limits and quotas (`TokenLimiter`: an estimate is
/// reserved here and settled when the request ends). Anonymous requests have every model and
/// the gateway's anonymous limits, if any. The limits' status stays in the context for the
/// `x-ratelimit-*` headers of whatever answer the request gets.
///
/// Where the request limits are counted: without Redis, in the consumer's shared in-process
/// `RequestRateLimiter` (lock-free, answered at once). With Redis in sync mode, in its
/// `SyncedRequestLimiter` (answered at once). With Redis in strict mode, by the counter script
/// on the consumer's node: the phase returns `.suspend` and the session resumes with `finish`.
/// When Redis cannot answer (in time), the gateway's `failMode` decides (`failed`). Token
/// limits and quotas, and the anonymous limits, are counted in process.
enum AdmitPhase {
    static func run(consumers: ConsumerTable, bodyBytes: Int, context: inout RequestContext, now: MeterInstant,
                    on loopSnapshot: LoopSnapshot, loop: LoopContext, waiter: some AdmissionWaiter) -> PhaseResult {
        let index = context.consumer
        if let index, !consumers.allows(index, model: context.clientModel) {
            let model = context.clientModel ?? ""
            return .answer(LocalAnswer(status: 403, code: "model_not_allowed",
                                       message: "consumer \"\(context.consumerName)\" may not use model \"\(model)\""))
        }
        guard let consumer = consumers.limits(of: index) else { return .next }
        guard let limiter = consumer.limiter else {
            return reserveTokens(consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        }
        guard let index, let redis = loopSnapshot.snapshot.redis else {
            return decided(limiter.acquire(at: now.monotonic), consumer, bodyBytes: bodyBytes, context: &context, now: now,
                           on: loopSnapshot)
        }
        switch redis.config.mode {
        case .sync:
            guard let synced = redis.synced[index] else { return .next }
            switch synced.acquire(at: now.monotonic) {
            case .decided(let decision):
                return decided(decision, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
            case .stale:
                return failed(redis.config, consumer, limiter: limiter, bodyBytes: bodyBytes, context: &context, now: now,
                              on: loopSnapshot)
            }
        case .strict:
            guard let store = loop.redis.store(for: redis) else {
                loop.redis.recordFailure(.unavailable("no Redis client"), failMode: redis.config.failMode)
                return failed(redis.config, consumer, limiter: limiter, bodyBytes: bodyBytes, context: &context, now: now,
                              on: loopSnapshot)
            }
            StrictAdmission.start(store: store, keys: redis.requestKeys[index], limits: limiter.limits, timeout: redis.config.timeout,
                                  scheduler: loop.scheduler) { [waiter] outcome in waiter.admissionCompleted(outcome) }
            return .suspend
        }
    }

    /// The strict-mode admission completed: its decision, or `failMode` when Redis failed; then
    /// the token limits.
    static func finish(_ outcome: StrictAdmission.Outcome, consumers: ConsumerTable, bodyBytes: Int, context: inout RequestContext,
                       now: MeterInstant, on loopSnapshot: LoopSnapshot, loop: LoopContext) -> PhaseResult {
        guard let consumer = consumers.limits(of: context.consumer), let limiter = consumer.limiter,
              let redis = loopSnapshot.snapshot.redis else { return .next }
        switch outcome {
        case .success(let decision):
            loop.redis.recordSuccess()
            return decided(decision, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        case .failure(let failure):
            loop.redis.recordFailure(failure, failMode: redis.config.failMode)
            return failed(redis.config, consumer, limiter: limiter, bodyBytes: bodyBytes, context: &context, now: now,
                          on: loopSnapshot)
        }
    }

    /// Redis could not decide: `open` admits against the in-process limiter (the limit then
    /// holds per pod), `closed` answers 503 `limits_unavailable`.
    private static func failed(_ config: RedisConfig, _ consumer: ConsumerTable.Consumer, limiter: RequestRateLimiter,
                               bodyBytes: Int, context: inout RequestContext, now: MeterInstant,
                               on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch config.failMode {
        case .open:
            return decided(limiter.acquire(at: now.monotonic), consumer, bodyBytes: bodyBytes, context: &context, now: now,
                           on: loopSnapshot)
        case .closed:
            return .answer(LocalAnswer(status: 503, code: "limits_unavailable",
                                       message: "the gateway cannot check the rate limits of consumer \"\(context.consumerName)\" now (its Redis does not answer); retry later",
                                       retryAfterSeconds: 1))
        }
    }

    /// The request limit's decision; when admitted, the token limits next.
    private static func decided(_ decision: RateLimitDecision, _ consumer: ConsumerTable.Consumer, bodyBytes: Int,
                                context: inout RequestContext, now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch decision {
        case .admitted(let status):
            context.requestLimit = status
            return reserveTokens(consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        case .limited(let status):
            context.requestLimit = status
            loopSnapshot.rateLimited(consumer: context.consumer, reason: LimitKind.requests.rawValue).increment()
            return .answer(LocalAnswer(status: 429, code: LimitKind.requests.code,
                                       message: "rate limit of \(status.limit) requests reached for consumer \"\(context.consumerName)\"; retry in \(status.resetText)",
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }

    /// Reserves the request's estimated tokens against the consumer's token limits and quotas.
    private static func reserveTokens(_ consumer: ConsumerTable.Consumer, bodyBytes: Int, context: inout RequestContext,
                                      now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        guard let tokenLimiter = consumer.tokenLimiter else { return .next }
        let prompt = TokenEstimate.prompt(bodyBytes: bodyBytes)
        let completion = TokenEstimate.completion(maxTokens: context.maxTokens, default: consumer.estimatedOutputTokens)
        switch tokenLimiter.reserve(prompt: prompt, completion: completion, at: now) {
        case .admitted(let reservation, let status):
            context.tokenReservation = reservation
            context.tokenLimit = status
            return .next
        case .refused(let kind, let status):
            if case .tokens = kind { context.tokenLimit = status }
            loopSnapshot.rateLimited(consumer: context.consumer, reason: kind.limitKind.rawValue).increment()
            return .answer(LocalAnswer(status: 429, code: kind.limitKind.code,
                                       message: refusal(kind, status: status, consumer: context.consumerName, quotas: tokenLimiter.quotas),
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }

    /// The message of a 429 for a token limit or quota.
    static func refusal(_ kind: UsageMeterKind, status: RateLimitStatus, consumer: String, quotas: ConsumerQuotas) -> String {
        switch kind {
        case .tokens(let window):
            "rate limit of \(status.limit) tokens per \(window) reached for consumer \"\(consumer)\"; retry in \(status.resetText)"
        case .tokenQuota(let period):
            "the token quota of \(status.limit) tokens per \(period.label) is used up for consumer \"\(consumer)\"; it resets in \(status.resetText)"
        case .costQuota(let period):
            "the spend quota of \(Double(status.limit) / 1_000_000) \(quotas.currency) per \(period.label) is used up for consumer \"\(consumer)\"; it resets in \(status.resetText)"
        }
    }
}
