import ProxyCore

/// Phase 11, cache store: keeps the bytes of the answering attempt's 200 response as they are
/// consumed (held or passed on, before the usage filter, so a stream keeps its usage chunk),
/// and when the request ends cleanly — status 200, no error, no truncation, the stream not cut
/// — offers them to the memory tier under the key the lookup computed, after the store rules
/// (`CacheStoreRule`), and writes them to the Redis tier when the route uses it (without
/// waiting: the request has ended). A translated attempt's answer is stored in the client's
/// API, translated again from the recording when stored (a stream with its usage chunk). An
/// answer larger than the tier's entry limit stops being recorded as soon as it outgrows it.
///
/// Owned by one session, on its event loop.
struct CacheStorePhase {
    private var recording: [UInt8] = []
    private var state = State.idle

    private enum State {
        /// Nothing to store (no key, or not a 200).
        case idle
        /// `translation`: the attempt's, with the `created` time the client's answer carries.
        case recording(limit: Int, translation: (AttemptTranslation, created: Int)?)
        case tooLarge
    }

    /// A response head of an attempt arrived: record its body when it is a 200 to store.
    /// `guarded` is true on a route whose guard checks answers: what the client got may not be
    /// the provider's answer, and a hit would skip the guard.
    mutating func attemptAnswered(status: Int, translation: (AttemptTranslation, created: Int)?, guarded: Bool,
                                  context: RequestContext, snapshot: ProxySnapshot) {
        recording = []
        guard status == 200, !guarded, context.cache.storeKey != nil, let tier = snapshot.cacheTier else {
            state = .idle
            return
        }
        state = .recording(limit: tier.maxBodyBytes, translation: translation)
    }

    /// Body bytes of the current attempt were consumed (held or passed on).
    mutating func record(_ bytes: UnsafeRawBufferPointer, _ disposition: BodyDisposition) {
        guard case .recording(let limit, _) = state else { return }
        switch disposition {
        case .pass, .hold, .holdThenCommit:
            guard recording.count + bytes.count <= limit else {
                recording = []
                state = .tooLarge
                return
            }
            recording.append(contentsOf: bytes)
        case .pauseWithoutConsuming, .discard:
            return
        }
    }

    /// The request ended: store what was recorded if it is a complete, storable answer.
    /// `wallNanoseconds` reads the wall clock, only for an answer written to Redis.
    mutating func finish(status: Int, eventStream: Bool, context: RequestContext, snapshot: ProxySnapshot, now: ProxyInstant,
                         wallNanoseconds: () -> UInt64, on loopSnapshot: LoopSnapshot, redis: LoopRedis) {
        defer {
            recording = []
            state = .idle
        }
        guard let key = context.cache.storeKey, let decision = context.decision, let tier = snapshot.cacheTier,
              let config = snapshot.routeCaches[decision.routeIndex] else { return }
        let series = loopSnapshot.cache(route: decision.routeIndex)
        let translation: (AttemptTranslation, created: Int)?
        switch state {
        case .idle:
            return
        case .tooLarge:
            series.stores("too_large").increment()
            return
        case .recording(_, let attemptTranslation):
            translation = attemptTranslation
        }
        guard status == 200 else { return }
        if let error = context.errorCode {
            // The provider stopped at the token limit, or the stream broke or ended unclean.
            series.stores(error == "upstream_truncated" ? CacheStoreRule.Refusal.truncated.rawValue : "incomplete").increment()
            return
        }
        var body = recording
        if let (direction, created) = translation {
            guard let translated = AnswerTranslator.cachedClientAnswer(of: recording, eventStream: eventStream, direction: direction,
                                                                       created: created)
            else { return series.stores("incomplete").increment() }
            body = translated
        }
        let form: CachedAnswer.Form = eventStream ? .eventStream : .json
        switch CacheStoreRule.check(form, body: body, config: config, clientSetMaxTokens: context.clientSetMaxTokens) {
        case .failure(let refusal):
            series.stores(refusal.rawValue).increment()
        case .success(let usage):
            let answer = CachedAnswer(form: form, body: body, usage: usage, storedAt: now)
            switch tier.store(answer, for: key, until: now.advanced(by: context.cache.ttl)) {
            case .stored:
                series.stores("stored").increment()
                Self.index(key, context: context, snapshot: snapshot, until: now.advanced(by: context.cache.ttl), wallNanoseconds: wallNanoseconds,
                           redis: redis)
            case .tooLarge: series.stores("too_large").increment()
            }
            if let ttl = context.cache.redisTTL, let limits = snapshot.redis, let store = redis.cacheStore(for: limits) {
                Self.write(answer, ttl: ttl, key: key.redisKey(prefix: limits.config.keyPrefix), wallNanoseconds: wallNanoseconds(),
                           to: store, series: series, redis: redis)
            }
        }
    }

    /// The semantic tier: the stored answer is found by the vector its lookup computed, in this
    /// sidecar's index and, when the answer goes to the Redis tier, in its scope's hash there
    /// (field: the answer's Redis key), without waiting.
    private static func index(_ key: CacheKey, context: RequestContext, snapshot: ProxySnapshot, until expiry: ProxyInstant,
                              wallNanoseconds: () -> UInt64, redis: LoopRedis) {
        guard let query = context.cache.semantic, let vector = query.vector, let route = context.decision?.routeIndex,
              let index = snapshot.semanticIndexes[route] else { return }
        index.insert(vector, scope: query.scope, entry: key, until: expiry)
        guard let ttl = context.cache.redisTTL, let limits = snapshot.redis, let store = redis.cacheStore(for: limits) else { return }
        let record = SemanticVectorRecord(vector: vector, storedAtMilliseconds: wallNanoseconds() / 1_000_000)
        store.setField(query.scope.semanticRedisKey(prefix: limits.config.keyPrefix), field: key.redisKey(prefix: limits.config.keyPrefix),
                       value: record.encoded(), ttl: ttl) { [redis] result in
            switch result {
            case .success: redis.recordSuccess()
            case .failure(let failure): redis.recordFailure(failure, failMode: nil)
            }
        }
    }

    /// Writes `answer` to the Redis tier, in the background: the request has ended, and a
    /// failure only leaves the next request a miss.
    private static func write(_ answer: CachedAnswer, ttl: ProxyDuration, key: [UInt8], wallNanoseconds: UInt64,
                              to store: any SharedCache, series: CacheSeries, redis: LoopRedis) {
        let storedAt = wallNanoseconds / 1_000_000
        let record = CachedAnswerRecord(form: answer.form, body: answer.body, usage: answer.usage, storedAtMilliseconds: storedAt,
                                        expiresAtMilliseconds: storedAt + ttl.milliseconds).encoded()
        // Every sidecar must be able to read it back (the client's reply limit).
        guard record.count <= RESPDecoderLimits().maxBulkBytes else { return series.redisWrites("too_large").increment() }
        store.set(key, value: record, ttl: ttl) { [redis] result in
            switch result {
            case .success:
                redis.recordSuccess()
                series.redisWrites("stored").increment()
            case .failure(let failure):
                redis.recordFailure(failure, failMode: nil)
                series.redisWrites("failed").increment()
            }
        }
    }
}
