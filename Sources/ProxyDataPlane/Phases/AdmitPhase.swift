import ProxyCore
import ProxyIO

/// Phase 3, admit (after inspect, which finds the model): the consumer's model rights, then
/// its request limits, then its token limits and quotas (`TokenLimiter`: an estimate is
/// reserved here and settled when the request ends). Anonymous requests have every model and
/// the gateway's anonymous limits, if any. The limits' status stays in the context for the
/// `x-ratelimit-*` headers of whatever answer the request gets.
///
/// A consumer's per-model override for the request's model (`models[]`, the first that
/// matches; ADR 0030) is counted on top: its request windows after the consumer's, its token
/// meters after the consumer's in one combined `TokenLimiter`, in every mode below.
///
/// Where the limits are counted: without Redis, in the consumer's shared in-process limiters
/// (lock-free, answered at once). With Redis in sync mode, in its `SyncedRequestLimiter`s and
/// its shared `TokenLimiter` (answered at once; pushed to Redis by `RedisSyncDriver`). With
/// Redis in strict mode, by the counter script on the consumer's node, one run per request
/// window and token meter: the phase returns `.suspend` and the session resumes with `finish`.
/// When Redis cannot answer (in time), or sync-mode counts are stale, the gateway's `failMode`
/// decides (`failed`). The anonymous limits are counted in process.
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
        context.modelOverride = consumer.override(for: context.clientModel)
        guard let index, let redis = loopSnapshot.snapshot.redis else {
            return countRequests(consumer, synced: nil, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        }
        switch redis.config.mode {
        case .sync:
            let synced = (redis.synced[index], redis.overrideSynced[index])
            let counted = synced.0 != nil || context.modelOverride.flatMap { synced.1[$0] } != nil
                || consumer.tokenLimiter(override: context.modelOverride) != nil
            if counted, redis.freshness.isStale(at: now.monotonic) {
                return failed(redis.config, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
            }
            return countRequests(consumer, synced: synced, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        case .strict:
            let increments = strictIncrements(consumer, redis: redis, index: index, bodyBytes: bodyBytes, context: context, now: now)
            guard !increments.isEmpty else { return .next }
            guard let store = loop.redis.store(for: redis) else {
                loop.redis.recordFailure(.unavailable("no Redis client"), failMode: redis.config.failMode)
                return failed(redis.config, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
            }
            StrictAdmission.start(store: store, increments: increments, timeout: redis.config.timeout,
                                  scheduler: loop.scheduler) { [waiter] outcome in waiter.admissionCompleted(outcome) }
            return .suspend
        }
    }

    /// Strict mode's counters for one request: one per request window of the consumer, then of
    /// its override (1 up to the limit), then one per token meter of the request's limiter (its
    /// share of the estimate up to the limit, ADR 0026). All in the consumer's hash tag.
    private static func strictIncrements(_ consumer: ConsumerTable.Consumer, redis: RedisLimits, index: Int, bodyBytes: Int,
                                         context: RequestContext, now: MeterInstant) -> [StrictAdmission.Increment] {
        var increments: [StrictAdmission.Increment] = []
        func addWindows(_ limiter: RequestRateLimiter?, keys: [RedisCounterKey]) {
            for (key, entry) in zip(keys, limiter?.limits.windows ?? []) {
                increments.append(.init(key: key, delta: 1, limit: Int64(entry.limit), window: RedisLimits.redisWindow(entry.window)))
            }
        }
        addWindows(consumer.limiter, keys: redis.requestKeys[index])
        if let override = context.modelOverride {
            addWindows(consumer.models[override].limiter, keys: redis.overrideRequestKeys[index][override])
        }
        guard let tokenLimiter = consumer.tokenLimiter(override: context.modelOverride) else { return increments }
        let (prompt, completion) = estimate(consumer, bodyBytes: bodyBytes, context: context)
        for meter in tokenLimiter.meters {
            let (period, _) = meter.kind.period(at: now)
            let counter = RedisLimits.tokenCounter(prefix: redis.config.keyPrefix, consumer: consumer.name, meter: meter, period: period,
                                                   currency: tokenLimiter.currency)
            increments.append(.init(key: counter.key, delta: Int64(tokenLimiter.want(meter, prompt: prompt, completion: completion)),
                                    limit: Int64(meter.limit), window: counter.window))
        }
        return increments
    }

    /// The strict-mode admission completed: its decision, or `failMode` when Redis failed.
    static func finish(_ outcome: StrictAdmission.Outcome, consumers: ConsumerTable, bodyBytes: Int, context: inout RequestContext,
                       now: MeterInstant, on loopSnapshot: LoopSnapshot, loop: LoopContext) -> PhaseResult {
        guard let consumer = consumers.limits(of: context.consumer), let redis = loopSnapshot.snapshot.redis else { return .next }
        switch outcome {
        case .success(let counts):
            loop.redis.recordSuccess()
            let override = context.modelOverride.map { consumer.models[$0] }
            let own = consumer.limiter?.limits.windows.count ?? 0
            let windows = own + (override?.limiter?.limits.windows.count ?? 0)
            var decision = consumer.limiter.map { StrictAdmission.decision($0.limits, counts: counts[..<own]) } ?? .admitted(nil)
            var scope = ""
            if case .admitted = decision, let override, let limiter = override.limiter {
                decision = decision.tightened(by: StrictAdmission.decision(limiter.limits, counts: counts[own..<windows]))
                scope = override.scope
            }
            guard let tokenLimiter = consumer.tokenLimiter(override: context.modelOverride) else {
                return decided(decision, scope: scope, consumer, bodyBytes: bodyBytes, context: &context, now: now,
                               on: loopSnapshot)
            }
            let tokenCounts = Array(counts[windows...])
            guard case .admitted(let status) = decision else {
                tokenLimiter.giveBack(tokenCounts, at: now)
                SharedTokenPush.push(tokenLimiter, of: consumer.name, limits: redis, loop: loop)
                return decided(decision, scope: scope, consumer, bodyBytes: bodyBytes, context: &context, now: now,
                               on: loopSnapshot)
            }
            context.requestLimit = status
            let (prompt, completion) = estimate(consumer, bodyBytes: bodyBytes, context: context)
            let admission = tokenLimiter.admit(tokenCounts, prompt: prompt, completion: completion, at: now)
            if case .refused = admission { SharedTokenPush.push(tokenLimiter, of: consumer.name, limits: redis, loop: loop) }
            return tokensDecided(admission, tokenLimiter, context: &context, on: loopSnapshot)
        case .failure(let failure):
            loop.redis.recordFailure(failure, failMode: redis.config.failMode)
            return failed(redis.config, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        }
    }

    /// Redis could not decide: `open` admits against the in-process limiters (the request limit
    /// then holds per pod; token use is counted on this sidecar's view of the shared counters
    /// and pushed when Redis answers again), `closed` answers 503 `limits_unavailable`.
    private static func failed(_ config: RedisConfig, _ consumer: ConsumerTable.Consumer, bodyBytes: Int,
                               context: inout RequestContext, now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch config.failMode {
        case .open:
            return countRequests(consumer, synced: nil, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        case .closed:
            return .answer(LocalAnswer(status: 503, code: "limits_unavailable",
                                       message: "the gateway cannot check the rate limits of consumer \"\(context.consumerName)\" now (its Redis does not answer); retry later",
                                       retryAfterSeconds: 1))
        }
    }

    /// Sync mode's limiters of one consumer: its own, its overrides'.
    typealias SyncedScopes = (own: SyncedRequestLimiter?, overrides: [SyncedRequestLimiter?])

    /// Counts the request in the consumer's request windows, then its override's, in process
    /// or (`synced`) against sync mode's view; when admitted, the token limits next.
    private static func countRequests(_ consumer: ConsumerTable.Consumer, synced: SyncedScopes?, bodyBytes: Int,
                                      context: inout RequestContext, now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        func count(_ limiter: RequestRateLimiter?, _ shared: SyncedRequestLimiter?) -> RateLimitDecision {
            shared.map { $0.acquire(at: now.monotonic) } ?? limiter?.acquire(at: now.monotonic) ?? .admitted(nil)
        }
        var decision = count(consumer.limiter, synced?.own)
        var scope = ""
        if case .admitted = decision, let index = context.modelOverride {
            let override = consumer.models[index]
            decision = decision.tightened(by: count(override.limiter, synced?.overrides[index]))
            scope = override.scope
        }
        return decided(decision, scope: scope, consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
    }

    /// The request limits' decision; when admitted, the token limits next. `scope`: the
    /// override whose window refused (`models[<match>].`), "" for the consumer's own.
    private static func decided(_ decision: RateLimitDecision, scope: String, _ consumer: ConsumerTable.Consumer, bodyBytes: Int,
                                context: inout RequestContext, now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch decision {
        case .admitted(let status):
            context.requestLimit = status
            return reserveTokens(consumer, bodyBytes: bodyBytes, context: &context, now: now, on: loopSnapshot)
        case .limited(let status):
            context.requestLimit = status
            loopSnapshot.rateLimited(consumer: context.consumer, reason: LimitKind.requests.rawValue).increment()
            return .answer(LocalAnswer(status: 429, code: LimitKind.requests.code,
                                       message: "rate limit of \(status.limit) requests reached for consumer \"\(context.consumerName)\"\(onModels(scope)); retry in \(status.resetText)",
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }

    /// The request's estimated input and output tokens (ADR 0017).
    private static func estimate(_ consumer: ConsumerTable.Consumer, bodyBytes: Int, context: RequestContext) -> (prompt: Int, completion: Int) {
        (TokenEstimate.prompt(bodyBytes: bodyBytes), TokenEstimate.completion(maxTokens: context.maxTokens, default: consumer.estimatedOutputTokens))
    }

    /// Reserves the request's estimated tokens against the consumer's token limits and quotas
    /// (and its override's).
    private static func reserveTokens(_ consumer: ConsumerTable.Consumer, bodyBytes: Int, context: inout RequestContext,
                                      now: MeterInstant, on loopSnapshot: LoopSnapshot) -> PhaseResult {
        guard let tokenLimiter = consumer.tokenLimiter(override: context.modelOverride) else { return .next }
        let (prompt, completion) = estimate(consumer, bodyBytes: bodyBytes, context: context)
        return tokensDecided(tokenLimiter.reserve(prompt: prompt, completion: completion, at: now), tokenLimiter,
                             context: &context, on: loopSnapshot)
    }

    /// The token limits' decision: the reservation kept in the context, or a 429.
    private static func tokensDecided(_ admission: TokenAdmission, _ tokenLimiter: TokenLimiter, context: inout RequestContext,
                                      on loopSnapshot: LoopSnapshot) -> PhaseResult {
        switch admission {
        case .admitted(let reservation, let status):
            context.tokenReservation = reservation
            context.tokenLimit = status
            return .next
        case .refused(let meter, let status):
            if case .tokens = meter.kind { context.tokenLimit = status }
            loopSnapshot.rateLimited(consumer: context.consumer, reason: meter.kind.limitKind.rawValue).increment()
            return .answer(LocalAnswer(status: 429, code: meter.kind.limitKind.code,
                                       message: refusal(meter, status: status, consumer: context.consumerName, currency: tokenLimiter.currency),
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }

    /// The message of a 429 for a token limit or quota (of the consumer, or of its override).
    static func refusal(_ meter: TokenLimiter.Meter, status: RateLimitStatus, consumer: String, currency: String) -> String {
        let who = "consumer \"\(consumer)\"\(onModels(meter.scope))"
        return switch meter.kind {
        case .tokens(let window):
            "rate limit of \(status.limit) tokens per \(window) reached for \(who); retry in \(status.resetText)"
        case .tokenQuota(let period):
            "the token quota of \(status.limit) tokens per \(period.label) is used up for \(who); it resets in \(status.resetText)"
        case .costQuota(let period):
            "the spend quota of \(Double(status.limit) / 1_000_000) \(currency) per \(period.label) is used up for \(who); it resets in \(status.resetText)"
        }
    }

    /// ` on models "gpt-4o*"` for an override's scope; "" for the consumer's own limits.
    private static func onModels(_ scope: String) -> String {
        guard scope.hasPrefix("models["), scope.hasSuffix("].") else { return "" }
        return " on models \"\(scope.dropFirst(7).dropLast(2))\""
    }
}
