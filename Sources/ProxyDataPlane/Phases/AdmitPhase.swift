import ProxyCore

/// Phase 3, admit (after inspect, which finds the model): the consumer's model rights, then
/// its request limits, counted in the consumer's shared `RequestRateLimiter`. Anonymous
/// requests have neither. The limit's status stays in the context for the
/// `x-ratelimit-*-requests` headers of whatever answer the request gets.
enum AdmitPhase {
    static func run(consumers: ConsumerTable, context: inout RequestContext, now: ProxyInstant,
                    on loopSnapshot: LoopSnapshot) -> PhaseResult {
        guard let index = context.consumer else { return .next }
        guard consumers.allows(index, model: context.clientModel) else {
            let model = context.clientModel ?? ""
            return .answer(LocalAnswer(status: 403, code: "model_not_allowed",
                                       message: "consumer \"\(context.consumerName)\" may not use model \"\(model)\""))
        }
        guard let limiter = consumers.consumers[index].limiter else { return .next }
        switch limiter.acquire(at: now) {
        case .admitted(let status):
            context.requestLimit = status
            return .next
        case .limited(let status):
            context.requestLimit = status
            loopSnapshot.rateLimited(consumer: index, reason: "requests").increment()
            return .answer(LocalAnswer(status: 429, code: "rate_limit_exceeded",
                                       message: "rate limit of \(status.limit) requests reached for consumer \"\(context.consumerName)\"; retry in \(status.resetText)",
                                       retryAfterSeconds: status.retryAfterSeconds))
        }
    }
}
