import ProxyCore

/// After route (the price is known once the backend and upstream model are): a consumer with
/// spend quotas reserves the request's estimated cost — the tokens reserved at admission at the
/// routed backend's price — trimmed to what remains, so concurrent requests cannot all spend
/// the last of a budget; a quota with nothing left refuses the request (429
/// `insufficient_quota`) and gives its whole reservation back. Settlement replaces the estimate
/// with the real cost (`AccountPhase.settle`). Taken on this sidecar's counters (with Redis: its
/// view, pushed with the settlement and the sync; ADR 0026).
enum SpendReservation {
    static func run(context: inout RequestContext, on loopSnapshot: LoopSnapshot, now: MeterInstant) -> PhaseResult {
        let snapshot = loopSnapshot.snapshot
        guard var reservation = context.tokenReservation, let decision = context.decision,
              let limiter = snapshot.consumers.limits(of: context.consumer)?.tokenLimiter(override: context.modelOverride),
              limiter.metersCost, let model = context.upstreamModel,
              let cost = snapshot.backends[decision.backendIndex].costs.cost(of: TokenUsage(prompt: reservation.prompt,
                                                                                             completion: reservation.completion), model: model),
              cost.currency == limiter.currency else { return .next }
        guard let meter = limiter.reserveSpend(&reservation, micros: TokenLimiter.micros(cost.amount), at: now) else {
            context.tokenReservation = reservation
            return .next
        }
        limiter.release(reservation, at: now)
        context.tokenReservation = nil
        let (_, reset) = meter.kind.period(at: now)
        loopSnapshot.rateLimited(consumer: context.consumer, reason: meter.kind.limitKind.rawValue).increment()
        let status = RateLimitStatus(limit: meter.limit, remaining: 0, reset: reset)
        return .answer(LocalAnswer(status: 429, code: meter.kind.limitKind.code,
                                   message: AdmitPhase.refusal(meter, status: status, consumer: context.consumerName, currency: limiter.currency),
                                   retryAfterSeconds: status.retryAfterSeconds))
    }
}
