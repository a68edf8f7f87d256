/// One consumer's token rate limits and quotas (tokens and spend), shared by every event loop
/// without a lock: one `UsageCounter` per limit. Requests are charged in two steps — an
/// estimate reserved at admission, settled with the provider's usage when the request ends —
/// and streams are charged as their output flows, between the two.
///
/// Admission never refuses a request for being large: a request is admitted while every
/// limit has something left, and what it reserves is trimmed to what remains, so a long
/// stream is cut (or finishes, `midStreamExhaustion`) where the limit ends instead of never
/// starting. Each limit may therefore end up over by what one request used beyond its
/// reservation (non-streamed answers, `finish` streams) or by one upstream chunk (`cut` streams).
///
/// **Shared** (a gateway with Redis, ADR 0026): the counters are this sidecar's view of the
/// gateway-wide use, and every change made here is pushed to Redis by the sync step
/// (`UsageCounter`). Strict mode reserves in Redis itself and hands the answers to `admit`;
/// sync mode reserves here; charges, settlements and releases are local in both, then pushed.
/// Kept across reloads for a consumer whose limits did not change (by name, like `RequestRateLimiter`).
///
/// **Per-model overrides** (`consumers[].models[]`, ADR 0030) have limiters of their own (their
/// meters' `scope` names them); a request for a matching model is counted by a *combined*
/// limiter (`combining(_:with:)`) holding the consumer's meters and then the override's — the
/// same counters, so every operation below counts both at once.
package final class TokenLimiter: Sendable {
    package struct Meter: Sendable {
        package let kind: UsageMeterKind
        /// Tokens, or millionths of the currency for spend.
        package let limit: Int
        package let counter: UsageCounter
        /// Which tokens a token window counts (quotas count prompt plus completion).
        package let counting: TokenCounting
        /// "" for a consumer's own limit; `models[<match>].` for a per-model override's.
        package let scope: String

        /// Its name in the admin endpoints, the quota gauges and Redis: `quotas.tokensPerDay`,
        /// `models[gpt-4o*].tokensPerMinute`, …
        package var field: String { scope + kind.field }
    }

    package let limits: TokenRateLimits
    package let quotas: ConsumerQuotas
    /// Spend quotas first, then token quotas, then rate windows shortest first: a request that
    /// several refuse is told about the longest wait. A combined limiter: the consumer's, then
    /// the override's.
    package let meters: [Meter]
    /// Whether a spend quota is set (a stream's spend is then estimated as it flows).
    package let metersCost: Bool
    /// Whether the counters are shared through Redis.
    package let shared: Bool
    /// The currency spend is counted in (validation makes every cost quota's the prices' one).
    package let currency: String

    /// At most this many meters of one party (two spend, two token quotas, four windows).
    package static let maxMeters = 8
    /// At most this many meters a request is counted by (a consumer's and an override's).
    package static let maxRequestMeters = 2 * maxMeters

    package init(limits: TokenRateLimits, quotas: ConsumerQuotas, shared: Bool = false, scope: String = "") {
        self.limits = limits
        self.quotas = quotas
        self.shared = shared
        currency = quotas.currency
        var meters: [Meter] = []
        func add(_ kind: UsageMeterKind, _ limit: Int) {
            let counting: TokenCounting = if case .tokens = kind { limits.counting } else { .total }
            meters.append(Meter(kind: kind, limit: limit, counter: UsageCounter(shared: shared), counting: counting, scope: scope))
        }
        if let cost = quotas.costPerDay { add(.costQuota(.day), Self.micros(cost)) }
        if let cost = quotas.costPerMonth { add(.costQuota(.month), Self.micros(cost)) }
        if let tokens = quotas.tokensPerDay { add(.tokenQuota(.day), tokens) }
        if let tokens = quotas.tokensPerMonth { add(.tokenQuota(.month), tokens) }
        for (window, limit) in limits.windows { add(.tokens(window), limit) }
        self.meters = meters
        metersCost = quotas.costPerDay != nil || quotas.costPerMonth != nil
    }

    private init(limits: TokenRateLimits, quotas: ConsumerQuotas, meters: [Meter], metersCost: Bool, shared: Bool, currency: String) {
        self.limits = limits
        self.quotas = quotas
        self.meters = meters
        self.metersCost = metersCost
        self.shared = shared
        self.currency = currency
    }

    /// What a request for a model of `override` is counted by: the consumer's meters (`base`,
    /// nil when it has none), then the override's — the same counters, not copies. Built with
    /// each snapshot, never carried over (its parts are).
    package static func combining(_ base: TokenLimiter?, with override: TokenLimiter) -> TokenLimiter {
        guard let base else { return override }
        return TokenLimiter(limits: override.limits, quotas: override.quotas, meters: base.meters + override.meters,
                            metersCost: base.metersCost || override.metersCost, shared: override.shared,
                            currency: override.metersCost ? override.currency : base.currency)
    }

    /// A fresh limiter for `consumer` (one of `config.meteredParties`), or nil when it has no
    /// token limits nor quotas. Shared when `config` has Redis, except the anonymous limits,
    /// which are counted per pod (like anonymous request limits).
    /// `scope`: a per-model override's (`ModelLimitsConfig.scope`; its party is `consumer`).
    package static func forConsumer(_ consumer: ConsumerConfig, in config: ProxyConfig, scope: String = "") -> TokenLimiter? {
        consumer.metersTokens
            ? TokenLimiter(limits: consumer.tokenLimits, quotas: consumer.quotas, shared: sharesCounts(consumer, in: config), scope: scope)
            : nil
    }

    /// Whether `consumer`'s token counters go to Redis in `config`.
    package static func sharesCounts(_ consumer: ConsumerConfig, in config: ProxyConfig) -> Bool {
        config.redis != nil && consumer.name != ConsumerConfig.anonymousName
    }

    /// Whether this limiter counts what `consumer` configures in `config` (so it can be kept over a reload).
    package func counts(_ consumer: ConsumerConfig, in config: ProxyConfig) -> Bool {
        limits == consumer.tokenLimits && quotas == consumer.quotas && shared == Self.sharesCounts(consumer, in: config)
    }

    /// Admits a request estimated at `prompt` input and `completion` output tokens while every
    /// limit has something left, reserving the estimate trimmed to what remains; refuses it
    /// (taking nothing) when one has nothing left.
    package func reserve(prompt: Int, completion: Int, at instant: MeterInstant) -> TokenAdmission {
        var reservation = TokenReservation(prompt: prompt, completion: completion)
        var tightest: RateLimitStatus?
        for (index, meter) in meters.enumerated() {
            let (period, reset) = meter.kind.period(at: instant)
            let want = want(meter, prompt: prompt, completion: completion)
            guard let (taken, used) = meter.counter.take(upTo: want, limit: meter.limit, period: period) else {
                release(reservation, upTo: index, at: instant)
                return .refused(meter, RateLimitStatus(limit: meter.limit, remaining: 0, reset: reset))
            }
            reservation.taken[index] = taken
            reservation.periods[index] = period
            if case .tokens = meter.kind {
                let status = RateLimitStatus(limit: meter.limit, remaining: meter.limit - used, reset: reset)
                if tightest == nil || status.remaining < tightest!.remaining { tightest = status }
            }
        }
        return .admitted(reservation, tightest)
    }

    /// Strict mode: decides a request from Redis's answers to the reservation of its estimate,
    /// one per meter in `meters` order (each `want` added up to the meter's limit). Admitted
    /// while every limit had something left, holding what Redis granted; refused otherwise,
    /// giving every grant back (pushed with the next sync).
    package func admit(_ counts: [RedisWindowCount], prompt: Int, completion: Int, at instant: MeterInstant) -> TokenAdmission {
        var reservation = TokenReservation(prompt: prompt, completion: completion)
        var tightest: RateLimitStatus?
        var refusal: (Meter, RateLimitStatus)?
        for (index, meter) in meters.enumerated() {
            let (period, reset) = meter.kind.period(at: instant)
            let count = counts[index]
            meter.counter.observe(total: count.count, period: period)
            reservation.taken[index] = Int(clamping: count.granted)
            reservation.periods[index] = period
            if count.count - count.granted >= Int64(meter.limit) {
                if refusal == nil { refusal = (meter, RateLimitStatus(limit: meter.limit, remaining: 0, reset: reset)) }
            } else if case .tokens = meter.kind {
                let status = RateLimitStatus(limit: meter.limit, remaining: max(0, meter.limit - Int(clamping: count.count)), reset: reset)
                if tightest == nil || status.remaining < tightest!.remaining { tightest = status }
            }
        }
        guard let refusal else { return .admitted(reservation, tightest) }
        release(reservation, at: instant)
        return .refused(refusal.0, refusal.1)
    }

    /// Strict mode: gives back what Redis granted to a request refused by something else (its
    /// request limits), one answer per meter as for `admit`.
    package func giveBack(_ counts: [RedisWindowCount], at instant: MeterInstant) {
        var reservation = TokenReservation(prompt: 0, completion: 0)
        for (index, meter) in meters.enumerated() {
            let (period, _) = meter.kind.period(at: instant)
            meter.counter.observe(total: counts[index].count, period: period)
            reservation.taken[index] = Int(clamping: counts[index].granted)
            reservation.periods[index] = period
        }
        release(reservation, at: instant)
    }

    /// Reserves a routed request's estimated spend, `micros` (its reserved tokens at the chosen
    /// backend's price), on each spend quota, trimmed to what remains, like the token estimate at
    /// admission: admission cannot, as the price is known only once the request is routed.
    /// Returns the quota that has nothing left (nothing more is taken; the caller gives the whole
    /// reservation back and refuses the request), or nil.
    package func reserveSpend(_ reservation: inout TokenReservation, micros: Int, at instant: MeterInstant) -> Meter? {
        for (index, meter) in meters.enumerated() {
            guard case .costQuota = meter.kind else { continue }
            let (period, _) = meter.kind.period(at: instant)
            guard let (taken, _) = meter.counter.take(upTo: max(0, micros - reservation.taken[index]), limit: meter.limit, period: period)
            else { return meter }
            reservation.taken[index] += taken
            reservation.periods[index] = period
        }
        return nil
    }

    /// Charges a stream's output so far — `completion` tokens and `costMicros` of spend,
    /// estimated as it flows — where it goes beyond what each limit holds for the request.
    /// Returns the limit that ran out, or nil while all of them hold.
    package func charge(_ reservation: inout TokenReservation, completion: Int, costMicros: Int,
                        at instant: MeterInstant) -> Meter? {
        guard completion > reservation.streamed else { return nil }
        reservation.streamed = completion
        var exhausted: Meter?
        for (index, meter) in meters.enumerated() {
            let need: Int
            if case .costQuota = meter.kind {
                need = costMicros - reservation.taken[index]
            } else {
                need = want(meter, prompt: reservation.prompt, completion: completion) - reservation.taken[index]
            }
            guard need > 0 else { continue }
            let (period, _) = meter.kind.period(at: instant)
            let taken = meter.counter.take(upTo: need, limit: meter.limit, period: period)?.taken ?? 0
            reservation.taken[index] += taken
            if taken < need, exhausted == nil { exhausted = meter }
        }
        return exhausted
    }

    /// Settles a finished request: each limit is charged what the request really used
    /// (`prompt` and `completion` tokens, `costMicros` of spend) instead of what was reserved.
    package func settle(_ reservation: TokenReservation, prompt: Int, completion: Int, costMicros: Int, at instant: MeterInstant) {
        // A provider's counts are not trusted to be sane: never negative here, sums saturate.
        let prompt = max(0, prompt), completion = max(0, completion), costMicros = max(0, costMicros)
        for (index, meter) in meters.enumerated() {
            let actual: Int
            if case .costQuota = meter.kind {
                actual = costMicros
            } else {
                actual = want(meter, prompt: prompt, completion: completion)
            }
            let (now, _) = meter.kind.period(at: instant)
            meter.counter.add(actual - reservation.taken[index], reserved: reservation.periods[index], now: now)
        }
    }

    /// Gives back everything `reservation` took (a request that used nothing: refused later,
    /// or failed before the provider answered).
    package func release(_ reservation: TokenReservation, at instant: MeterInstant) {
        release(reservation, upTo: meters.count, at: instant)
    }

    private func release(_ reservation: TokenReservation, upTo end: Int, at instant: MeterInstant) {
        for index in 0..<end where reservation.taken[index] > 0 {
            let (now, _) = meters[index].kind.period(at: instant)
            meters[index].counter.add(-reservation.taken[index], reserved: reservation.periods[index], now: now)
        }
    }

    /// Each limit's use and what remains, at `instant` (admin, metrics).
    package func readings(at instant: MeterInstant) -> [UsageReading] {
        meters.map { meter in
            let (period, reset) = meter.kind.period(at: instant)
            let used = meter.counter.used(in: period)
            return UsageReading(kind: meter.kind, field: meter.field, limit: meter.limit, used: used, reset: reset)
        }
    }

    /// The largest share, in percent, that any quota (tokens or spend, per day or month) has
    /// used at `instant`, reservations of requests in flight included; nil without quotas.
    /// Read by `auto` models' `overBudget` (rate windows are limits, not budgets).
    package func quotaUsedPercent(at instant: MeterInstant) -> Int? {
        var highest: Int?
        for meter in meters {
            switch meter.kind {
            case .tokens: continue
            case .tokenQuota, .costQuota: break
            }
            let used = meter.counter.used(in: meter.kind.period(at: instant).number)
            // Limits are at most 2^40 (`UsageCounter`): no overflow in × 100.
            highest = max(highest ?? 0, min(used, meter.limit) * 100 / meter.limit)
        }
        return highest
    }

    /// Sets the use of the limit named `field` (`Meter.field`) in its current period: to zero
    /// (reset), or by a delta (adjust). Returns false when there is no such limit.
    package func adjust(_ field: String, _ change: UsageChange, at instant: MeterInstant) -> Bool {
        guard let meter = meters.first(where: { $0.field == field }) else { return false }
        let (period, _) = meter.kind.period(at: instant)
        switch change {
        case .reset: meter.counter.set(0, in: period)
        case .delta(let delta): meter.counter.add(delta, reserved: period, now: period)
        }
        return true
    }

    /// What `meter` counts for a request of `prompt` and `completion` tokens (spend is known
    /// only once the provider reported usage: nothing is reserved for it).
    package func want(_ meter: Meter, prompt: Int, completion: Int) -> Int {
        switch meter.kind {
        case .tokens: meter.counting.count(prompt: prompt, completion: completion)
        case .tokenQuota: TokenCounting.total(prompt, completion)
        case .costQuota: 0
        }
    }

    /// An amount of money in millionths, rounded up (a spend quota's unit).
    package static func micros(_ amount: Double) -> Int {
        let scaled = (amount * 1_000_000).rounded(.up)
        return scaled.isFinite && scaled > 0 ? Int(min(scaled, Double(UsageCounter.maxAmount))) : 0
    }
}

/// Whether a request passes a consumer's token limits and quotas.
package enum TokenAdmission: Sendable {
    /// Reserved; the status of the token window with the fewest tokens left (nil: no token windows).
    case admitted(TokenReservation, RateLimitStatus?)
    /// Refused by the limit `meter`, whose `status` says when it starts over.
    case refused(TokenLimiter.Meter, RateLimitStatus)
}

/// What one request holds of each of its consumer's limits (by meter index), and the tokens
/// it was charged for so far.
package struct TokenReservation: Sendable {
    /// By meter index (`TokenLimiter.maxRequestMeters` at most).
    package var taken: InlineArray<16, Int> = .init(repeating: 0)
    package var periods: InlineArray<16, UInt64> = .init(repeating: 0)
    /// The estimated input tokens.
    package let prompt: Int
    /// The output tokens reserved at admission (before trimming).
    package let completion: Int
    /// The output tokens a stream has carried so far (estimated from its deltas).
    package var streamed = 0

    package init(prompt: Int, completion: Int) {
        self.prompt = prompt
        self.completion = completion
    }
}

/// One limit's state, for the admin endpoints and the quota gauges.
package struct UsageReading: Hashable, Sendable {
    package let kind: UsageMeterKind
    /// The meter's name (`TokenLimiter.Meter.field`).
    package let field: String
    package let limit: Int
    package let used: Int
    package let reset: ProxyDuration

    package var remaining: Int { max(0, limit - used) }
}

/// An admin change to one limit's use in its current period.
package enum UsageChange: Hashable, Sendable {
    case reset
    /// Adds to what was used (negative: gives back), never below zero.
    case delta(Int)
}
