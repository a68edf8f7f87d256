import ProxyCore

/// Phase 7's hit: the cached answer sent whole, without an upstream attempt.
extension ProxySession: CacheReadWaiter {
    /// Runs the cache lookup; on a hit writes the answer and reports it written; suspends
    /// while the Redis tier is read.
    func lookUpCache(now: ProxyInstant) -> PhaseResult {
        lookedUp(CacheLookupPhase.run(head: head, body: body, snapshot: snapshot, context: &context, now: now, on: loopSnapshot,
                                      loop: loop, waiter: self), now: now)
    }

    func cacheReadCompleted(_ outcome: RedisCacheRead.Outcome, key: CacheKey) {
        suspendedPhase = .cacheRead(outcome, key: key)
        perform(machine.phaseResumed())
    }

    /// The Redis tier answered (or failed): the lookup's result.
    func cacheReadFinished(_ outcome: RedisCacheRead.Outcome, key: CacheKey) -> PhaseResult {
        let now = loop.scheduler.now()
        return lookedUp(CacheLookupPhase.finish(outcome, key: key, snapshot: snapshot, context: &context, now: now,
                                                wallNanoseconds: loop.scheduler.wallNanoseconds(), on: loopSnapshot, loop: loop),
                        now: now)
    }

    func lookedUp(_ outcome: CacheLookupPhase.Outcome, now: ProxyInstant) -> PhaseResult {
        switch outcome {
        case .proceed:
            return .next
        case .invalid(let local):
            return .answer(local)
        case .suspended:
            return .suspend
        case .embed(let embedding):
            return startEmbedding(embedding)
        case .hit(let answer, let bytes):
            serveCacheHit(answer, bytes: bytes, now: now)
            return .answered(status: 200)
        }
    }

    private func serveCacheHit(_ answer: CachedAnswer, bytes: [UInt8], now: ProxyInstant) {
        var headers = HTTPHeaders(reservingCapacity: 12)
        headers.append(name: "content-type", value: context.streamRequested ? "text/event-stream" : "application/json")
        if context.streamRequested { headers.append(name: "cache-control", value: "no-cache") }
        // RFC 9111 §5.1: seconds since the answer was stored.
        headers.append(name: "age", value: String(now.duration(since: answer.storedAt).nanoseconds / 1_000_000_000))
        headers.append(name: "x-request-id", value: context.requestID)
        appendSidecarHeaders(to: &headers)
        response.writeHead(HTTPResponseHead(status: 200, headers: headers), contentLength: bytes.count)
        bytes.withUnsafeBytes { response.writeBody($0) }
        response.finish()
        context.bytesToClient = bytes.count
        countSavings(answer.usage)
    }

    /// The cached answer's usage goes to the access log; the tokens and their cost are counted
    /// as saved, not spent (`sluice_tokens_total` counts provider tokens only). What the hit
    /// costs the consumer is settled when the request ends (`AccountPhase.settle`).
    private func countSavings(_ usage: TokenUsage) {
        guard let decision = context.decision, usage.reported else { return }
        context.usage = usage
        let series = loopSnapshot.cache(route: decision.routeIndex)
        if let prompt = usage.prompt, prompt > 0 { series.promptSaved.increment(by: UInt64(prompt)) }
        if let completion = usage.completion, completion > 0 { series.completionSaved.increment(by: UInt64(completion)) }
        if let model = context.upstreamModel, let cost = snapshot.backends[decision.backendIndex].costs.cost(of: usage, model: model) {
            context.cache.hitCost = cost
            series.costSaved(currency: cost.currency).increment(by: cost.amount)
        }
    }
}
