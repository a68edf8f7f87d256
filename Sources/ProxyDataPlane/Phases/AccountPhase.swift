import ProxyCore

/// Phase 10, account: token counts come from what the provider reports, never from guessing.
/// Non-streamed bodies carry `usage`; for OpenAI-style streams the proxy asks for the usage
/// chunk (`stream_options.include_usage`) and, when the client had not asked for it, removes
/// it from what the client receives, so the client sees the stream it would have seen.
///
/// Owned by one session, on its event loop; holds the stream's usage filter between chunks.
struct AccountPhase {
    /// The proxy added `stream_options.include_usage` that the client did not ask for.
    private var forcedUsage = false
    private var filter: UsageStreamFilter?
    /// The end of a 2xx JSON answer too large to hold, for its `usage`.
    private var tail: JSONBodyTail?

    /// The upstream body for one attempt: with `include_usage` requested on OpenAI-style streams.
    mutating func upstreamBody(_ body: [UInt8], streamRequested: Bool, backend: BackendRuntime, path: Substring) -> [UInt8] {
        forcedUsage = false
        guard streamRequested, backend.acceptsIncludeUsage,
              path.hasSuffix("/chat/completions") || path.hasSuffix("/completions") else { return body }
        guard case .success(let rewrite) = JSONBodyRewriter.ensuringIncludeUsage(in: body) else { return body }
        forcedUsage = !rewrite.clientRequestedUsage
        return rewrite.body
    }

    /// A translated attempt: the translation asks for the usage itself and the answer's
    /// translator consumes it, so nothing is stripped here (the filter only reads).
    mutating func passesUsageThrough() {
        forcedUsage = false
    }

    /// A 2xx event stream is about to pass to the client: read (and strip) its usage from here
    /// on; `countsOutput` also measures its generated text, to charge a consumer as it flows.
    mutating func beginStream(countsOutput: Bool) {
        filter = UsageStreamFilter(stripsUsage: forcedUsage, countsOutput: countsOutput)
    }

    /// The output tokens the stream carried so far, estimated from its generated text; nil
    /// when no stream is read.
    var streamedOutputTokens: Int? {
        filter.map { TokenEstimate.tokens(textBytes: $0.outputTextBytes) }
    }

    /// Whether the client got no part of an unfinished event (true when no stream is read).
    var atEventBoundary: Bool { filter?.atEventBoundary ?? true }

    /// A 2xx JSON answer passes on before its end (it outgrew the hold limit): keep its tail.
    mutating func beginBodyTail() {
        tail = JSONBodyTail()
    }

    /// Passes bytes on: through the stream's filter, or straight (keeping a JSON answer's tail).
    mutating func pass(_ bytes: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        if filter != nil {
            filter!.feed(bytes, emit: emit)
            return
        }
        if tail != nil { tail!.append(bytes) }
        emit(bytes)
    }

    /// The usage at the end of a JSON answer that passed through; nil when none was kept.
    mutating func endBodyTail() -> TokenUsage? {
        defer { tail = nil }
        return tail?.usage
    }

    /// Ends the stream being read: emits what the filter still held; nil when none was read.
    mutating func endStream(_ emit: (UnsafeRawBufferPointer) -> Void) -> StreamUsage? {
        guard var ending = filter else { return nil }
        filter = nil
        return ending.finish(emit: emit)
    }

    /// Records a response's usage in the context, the token and cost metrics.
    static func record(_ usage: TokenUsage, streamed: Bool, context: inout RequestContext, on loopSnapshot: LoopSnapshot,
                       now: ProxyInstant) {
        guard let decision = context.decision, let target = context.answeringBackend else { return }
        let snapshot = loopSnapshot.snapshot
        context.usage = usage
        let model = snapshot.metricModel(client: context.clientModel, upstream: target.model)
        let series = loopSnapshot.tokens(route: decision.routeIndex, backend: target.backendIndex, model: model)
        guard usage.reported else {
            series.unreported.increment()
            return
        }
        if let n = usage.prompt, n > 0 { series.prompt.increment(by: UInt64(n)) }
        if let n = usage.completion, n > 0 { series.completion.increment(by: UInt64(n)) }
        let countsConsumers = !snapshot.consumers.metered.isEmpty
        if countsConsumers {
            let consumer = loopSnapshot.consumerUsage(context.consumer)
            if let n = usage.prompt, n > 0 { consumer.prompt.increment(by: UInt64(n)) }
            if let n = usage.completion, n > 0 { consumer.completion.increment(by: UInt64(n)) }
        }
        if let n = usage.cached, n > 0 { series.cached.increment(by: UInt64(n)) }
        if let n = usage.cacheWritten, n > 0 { series.cacheWritten.increment(by: UInt64(n)) }
        if let n = usage.reasoning, n > 0 { series.reasoning.increment(by: UInt64(n)) }
        // Streams only (docs/metrics.md): the time between tokens, after the first.
        if streamed, let first = context.firstTokenAt, let completion = usage.completion, completion >= 2 {
            let generation = now.duration(since: first)
            series.perOutputToken.observe(Double(generation.nanoseconds) / 1e9 / Double(completion - 1))
        }
        if let upstreamModel = target.model,
           let cost = snapshot.backends[target.backendIndex].costs.cost(of: usage, model: upstreamModel) {
            context.cost = cost
            loopSnapshot.cost(route: decision.routeIndex, backend: target.backendIndex, model: model, currency: cost.currency)
                .increment(by: cost.amount)
            if countsConsumers { loopSnapshot.consumerCost(context.consumer, currency: cost.currency).increment(by: cost.amount) }
        }
    }

    /// Settles the request's token reservation (`AdmitPhase`) with what it really used, once,
    /// when it ends: the provider's usage and cost when reported; nothing used when it got no
    /// 2xx answer; what was reserved and streamed when a 2xx answer reported no usage. A cache
    /// hit uses nothing, unless its route charges hits (`chargeHits: usage`): then the stored
    /// answer's usage and cost, as if the provider had answered. With Redis in strict mode, the
    /// difference is pushed at once (`SharedTokenPush`).
    static func settle(context: inout RequestContext, consumers: ConsumerTable, status: Int, at now: MeterInstant,
                       on loopSnapshot: LoopSnapshot, loop: LoopContext) {
        guard let reservation = context.tokenReservation, let consumer = consumers.limits(of: context.consumer),
              let limiter = consumer.tokenLimiter(override: context.modelOverride) else { return }
        context.tokenReservation = nil
        defer {
            if limiter.shared, let redis = loopSnapshot.snapshot.redis, redis.config.mode == .strict {
                SharedTokenPush.push(limiter, of: consumer.name, limits: redis, loop: loop)
            }
        }
        let hit = context.cache.result.answeredFromCache
        if hit, let decision = context.decision, loopSnapshot.snapshot.routeCaches[decision.routeIndex]?.chargeHits != .usage {
            return limiter.release(reservation, at: now)
        }
        guard let usage = context.usage, usage.reported else {
            if !(200..<300).contains(status) { limiter.release(reservation, at: now) }
            return
        }
        let cost = (hit ? context.cache.hitCost : context.cost).map { $0.currency == limiter.currency ? TokenLimiter.micros($0.amount) : 0 } ?? 0
        limiter.settle(reservation, prompt: usage.prompt ?? reservation.prompt,
                       completion: usage.completion ?? max(reservation.streamed, reservation.completion), costMicros: cost, at: now)
    }
}
