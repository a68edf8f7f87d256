import ProxyCore

/// Phase 10, account, while a stream flows: a consumer's output tokens (and spend) are charged
/// as the stream's generated text passes, beyond what was reserved at admission, so a long
/// stream cannot run through a limit. When one runs out, the consumer's `midStreamExhaustion`
/// decides: `cut` ends the stream cleanly at the next event boundary, `finish` lets it run (the
/// overshoot is charged). Settlement with the provider's usage follows at the end either way.
extension ProxySession {
    /// Charges the stream's output so far; cuts it when a limit ran out and the consumer says so.
    func meterStream() {
        guard var reservation = context.tokenReservation, let consumer = snapshot.consumers.limits(of: context.consumer),
              let limiter = consumer.tokenLimiter(override: context.modelOverride) else { return }
        if cutPending == nil, let tokens = account.streamedOutputTokens, tokens > reservation.streamed {
            let now = MeterInstant(monotonic: loop.scheduler.now(), wallNanoseconds: loop.scheduler.wallNanoseconds())
            let exhausted = limiter.charge(&reservation, completion: tokens, costMicros: streamCostMicros(prompt: reservation.prompt,
                                                                                                            completion: tokens, limiter),
                                           at: now)
            context.tokenReservation = reservation
            if let exhausted, consumer.midStreamExhaustion == .cut { cutPending = exhausted }
        }
        // Never inside an event: the client must not get half of one before the ending.
        if cutPending != nil, account.atEventBoundary { perform(machine.streamCut()) }
    }

    /// Writes the stream's clean ending for the limit that ran out, then finishes the response.
    func cutStream() {
        guard let meter = cutPending, let consumer = snapshot.consumers.limits(of: context.consumer) else { return }
        let kind = meter.kind
        if let end = account.endStream({ bytes in translate(bytes) { response.writeBody($0) } }), end.usage.reported {
            AccountPhase.record(end.usage, streamed: true, context: &context, on: loopSnapshot, now: loop.scheduler.now())
        }
        let (_, reset) = kind.period(at: MeterInstant(monotonic: loop.scheduler.now(), wallNanoseconds: loop.scheduler.wallNanoseconds()))
        let currency = consumer.tokenLimiter(override: context.modelOverride)?.currency ?? ConsumerQuotas().currency
        let message = "the stream was cut: " + AdmitPhase.refusal(meter, status: RateLimitStatus(limit: meter.limit, remaining: 0, reset: reset),
                                                                  consumer: consumer.name, currency: currency)
        context.errorCode = kind.limitKind.code
        loopSnapshot.rateLimited(consumer: context.consumer, reason: kind.limitKind.rawValue).increment()
        let ending = StreamCutEnding.bytes(StreamCutEnding.Shape(path: head.path[...]), id: context.requestID,
                                           model: context.upstreamModel ?? context.clientModel ?? "",
                                           created: loop.scheduler.wallNanoseconds() / 1_000_000_000,
                                           code: kind.limitKind.code, message: message)
        ending.withUnsafeBytes { response.writeBody($0) }
        response.finish()
    }

    /// The spend of `prompt` and `completion` tokens on the answering backend's price, in
    /// millionths of the consumer's quota currency; 0 without cost quotas or a price.
    private func streamCostMicros(prompt: Int, completion: Int, _ limiter: TokenLimiter) -> Int {
        guard limiter.metersCost, let target = context.answeringBackend, let model = target.model,
              let cost = snapshot.backends[target.backendIndex].costs.cost(of: TokenUsage(prompt: prompt, completion: completion),
                                                                            model: model),
              cost.currency == limiter.currency else { return 0 }
        return TokenLimiter.micros(cost.amount)
    }
}
