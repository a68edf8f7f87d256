import ProxyCore

/// Phase 3, admit (after inspect, which finds the model): the consumer's model rights, then
/// its request limits (`RequestRateLimiter`), then its token limits and quotas
/// (`TokenLimiter`: an estimate is reserved here and settled when the request ends). Anonymous
/// requests have every model and the gateway's anonymous limits, if any. The limits' status stays in the context for the `x-ratelimit-*`
/// headers of whatever answer the request gets.
enum AdmitPhase {
    static func run(consumers: ConsumerTable, bodyBytes: Int, context: inout RequestContext, now: MeterInstant,
                    on loopSnapshot: LoopSnapshot) -> PhaseResult {
        let index = context.consumer
        if let index, !consumers.allows(index, model: context.clientModel) {
            let model = context.clientModel ?? ""
            return .answer(LocalAnswer(status: 403, code: "model_not_allowed",
                                       message: "consumer \"\(context.consumerName)\" may not use model \"\(model)\""))
        }
        guard let consumer = consumers.limits(of: index) else { return .next }
        if let limiter = consumer.limiter {
            switch limiter.acquire(at: now.monotonic) {
            case .admitted(let status):
                context.requestLimit = status
            case .limited(let status):
                context.requestLimit = status
                loopSnapshot.rateLimited(consumer: index, reason: LimitKind.requests.rawValue).increment()
                return .answer(LocalAnswer(status: 429, code: LimitKind.requests.code,
                                           message: "rate limit of \(status.limit) requests reached for consumer \"\(context.consumerName)\"; retry in \(status.resetText)",
                                           retryAfterSeconds: status.retryAfterSeconds))
            }
        }
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
            loopSnapshot.rateLimited(consumer: index, reason: kind.limitKind.rawValue).increment()
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
