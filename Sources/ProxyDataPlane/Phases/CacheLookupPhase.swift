import ProxyCore
import ProxyIO

/// What waits for a read of the cache's Redis tier (the session): told once, on the loop.
protocol CacheReadWaiter: AnyObject {
    func cacheReadCompleted(_ outcome: RedisCacheRead.Outcome, key: CacheKey)
    /// The semantic tier's read of the Redis tier (`SemanticRedisRead`) completed.
    func sharedSemanticReadCompleted(_ outcome: SemanticRedisRead.Outcome)
}

/// Phase 7, cache lookup (after route, which names the backend and model in the key): on a
/// route with a cache, reads the request's cache headers and body, computes the key, and looks
/// it up in the memory tier, then (on a miss, when the config has `redis` and the route uses
/// it) in the Redis tier: the phase suspends until Redis answers or its `timeout` passes, and
/// the session resumes it with `finish`. A Redis failure or timeout is a miss. A hit is
/// rendered in the form the client asked for (a Redis hit also fills the memory tier); a miss
/// or a bypass goes upstream, with the key kept in the context when the answer may be stored
/// (`CacheStorePhase`). After the exact tiers missed, a route with a semantic tier embeds the
/// request's text (the session makes the call and resumes with `finishSemantic`) and serves
/// the most similar stored answer of the same semantic scope (`SemanticRequest`).
/// Routes without a cache cost nothing here.
///
/// Called on the request's event loop; the memory tier is shared (one shard locked per lookup).
enum CacheLookupPhase {
    /// What the lookup decided.
    enum Outcome {
        /// Go upstream (a miss, a bypass, or no cache on the route).
        case proceed
        /// Answer with `body`: the cached answer rendered in the form the request asks for.
        case hit(CachedAnswer, body: [UInt8])
        /// A cache header the sidecar cannot honour.
        case invalid(LocalAnswer)
        /// The Redis tier is being read: the waiter is told (`finish` then decides).
        case suspended
        /// The exact tiers missed and the route has a semantic tier: the session calls the
        /// embeddings service (`finishSemantic` then decides).
        case embed(SemanticEmbedding)
    }

    static func run(head: HTTPRequestHead, body: [UInt8], snapshot: ProxySnapshot, context: inout RequestContext, now: ProxyInstant,
                    on loopSnapshot: LoopSnapshot, loop: LoopContext, waiter: some CacheReadWaiter) -> Outcome {
        guard let decision = context.decision, let config = snapshot.routeCaches[decision.routeIndex],
              let tier = snapshot.cacheTier else { return .proceed }
        let directive: CacheDirective
        switch CacheDirective.parse(head.headers) {
        case .failure(let error):
            return .invalid(LocalAnswer(status: 400, code: "invalid_cache_header", message: error.message))
        case .success(let parsed):
            directive = parsed
        }
        let series = loopSnapshot.cache(route: decision.routeIndex)
        // Neither looked up, stored nor dropped: the body need not even be read.
        guard directive.lookup || directive.store || directive.refresh, head.method == .post, case .success(let request) = CacheableRequest.check(body: body, config: config) else {
            series.results(.bypass, from: nil).increment()
            return .proceed
        }
        let scope = config.scope == .shared ? "shared" : "consumer:" + context.consumerName
        let key = CacheKey(route: decision.routeName, backend: decision.backendName, model: context.upstreamModel ?? "",
                           path: String(head.path), scope: scope, namespace: directive.namespace, canonicalBody: request.canonicalBody,
                           sha256: OpenSSLSHA256.digest)
        let shared = sharedTier(config, snapshot: snapshot, loop: loop)
        if directive.refresh {
            tier.remove(key)
            if let shared { shared.store.delete(key.redisKey(prefix: shared.redis.config.keyPrefix)) { _ in } }
        }
        context.cache.includeUsage = request.includeUsage
        if directive.store {
            context.cache.storeKey = key
            context.cache.ttl = min(directive.ttl ?? config.ttl(of: .memory), config.ttl(of: .memory))
            if shared != nil { context.cache.redisTTL = min(directive.ttl ?? config.ttl(of: .redis), config.ttl(of: .redis)) }
        }
        guard directive.lookup else {
            series.results(.bypass, from: nil).increment()
            return .proceed
        }
        context.cache.tier = .memory
        if let answer = tier.lookup(key, at: now),
           let rendered = answer.rendered(asStream: context.streamRequested, includeUsage: request.includeUsage) {
            return hit(answer, rendered: rendered, from: .memory, context: &context, series: series)
        }
        // Read only after a memory miss: a hit costs no parse.
        if let semantic = config.semantic,
           case .success(let read) = SemanticRequest.read(canonicalBody: request.canonicalBody, embed: semantic.embed) {
            let semanticScope = CacheKey(route: decision.routeName, backend: decision.backendName, model: context.upstreamModel ?? "",
                                         path: String(head.path), scope: scope, namespace: directive.namespace, canonicalBody: read.rest,
                                         sha256: OpenSSLSHA256.digest)
            context.cache.semantic = SemanticQuery(scope: semanticScope, text: read.text)
        }
        if let shared {
            context.cache.tier = .redis
            RedisCacheRead.start(store: shared.store, key: key.redisKey(prefix: shared.redis.config.keyPrefix),
                                 timeout: shared.redis.config.timeout, scheduler: loop.scheduler) { [waiter] outcome in
                waiter.cacheReadCompleted(outcome, key: key)
            }
            return .suspended
        }
        return missOrEmbed(snapshot: snapshot, context: &context, series: series)
    }

    /// The Redis tier's answer for `key`: a hit (kept in the memory tier too, unless the
    /// request said `no-store`), or a miss — no entry, an entry that is not a record, expired,
    /// or in a shape the request's form cannot be rendered from, or a failure (counted in
    /// `sluice_redis_failures_total`).
    static func finish(_ outcome: RedisCacheRead.Outcome, key: CacheKey, snapshot: ProxySnapshot, context: inout RequestContext,
                       now: ProxyInstant, wallNanoseconds: UInt64, on loopSnapshot: LoopSnapshot, loop: LoopContext) -> Outcome {
        guard let decision = context.decision, let config = snapshot.routeCaches[decision.routeIndex] else { return .proceed }
        let series = loopSnapshot.cache(route: decision.routeIndex)
        guard let (answer, rendered, record) = answer(from: outcome, context: context, now: now, wallNanoseconds: wallNanoseconds, loop: loop) else {
            return missOrEmbed(snapshot: snapshot, context: &context, series: series)
        }
        let wallMilliseconds = wallNanoseconds / 1_000_000
        if context.cache.storeKey != nil, let tier = snapshot.cacheTier {
            let left = ProxyDuration.milliseconds(record.expiresAtMilliseconds - wallMilliseconds)
            _ = tier.store(answer, for: key, until: min(answer.storedAt.advanced(by: config.ttl(of: .memory)), now.advanced(by: left)))
        }
        return hit(answer, rendered: rendered, from: .redis, context: &context, series: series)
    }

    /// A Redis read's entry as an answer the request can be served: nil for no entry, an entry
    /// that is not a record, expired, or in a shape the request's form cannot be rendered from,
    /// or a failure (counted in `sluice_redis_failures_total`).
    static func answer(from outcome: RedisCacheRead.Outcome, context: RequestContext, now: ProxyInstant, wallNanoseconds: UInt64,
                               loop: LoopContext) -> (CachedAnswer, [UInt8], CachedAnswerRecord)? {
        let value: [UInt8]?
        switch outcome {
        case .success(let found):
            loop.redis.recordSuccess()
            value = found
        case .failure(let failure):
            loop.redis.recordFailure(failure, failMode: nil)
            value = nil
        }
        let wallMilliseconds = wallNanoseconds / 1_000_000
        guard let value, let record = CachedAnswerRecord.decode(value), record.expiresAtMilliseconds > wallMilliseconds else { return nil }
        // The entry's age on the wall clock, turned into this sidecar's monotonic time.
        let age = ProxyDuration.milliseconds(wallMilliseconds >= record.storedAtMilliseconds ? wallMilliseconds - record.storedAtMilliseconds : 0)
        let storedAt = ProxyInstant(nanoseconds: now.nanoseconds - min(age.nanoseconds, now.nanoseconds))
        let answer = CachedAnswer(form: record.form, body: record.body, usage: record.usage, storedAt: storedAt)
        guard let rendered = answer.rendered(asStream: context.streamRequested, includeUsage: context.cache.includeUsage) else { return nil }
        return (answer, rendered, record)
    }

    /// The Redis tier of a route: the config's `redis` and this loop's store, when the route uses it.
    static func sharedTier(_ config: RouteCacheConfig, snapshot: ProxySnapshot,
                                   loop: LoopContext) -> (redis: RedisLimits, store: any SharedCache)? {
        guard config.redis, let redis = snapshot.redis, let store = loop.redis.cacheStore(for: redis) else { return nil }
        return (redis, store)
    }

    static func hit(_ answer: CachedAnswer, rendered: [UInt8], from tier: CacheTierName, context: inout RequestContext,
                            series: CacheSeries) -> Outcome {
        context.cache.result = tier == .semantic ? .semanticHit : .hit
        context.cache.tier = tier
        context.cache.storeKey = nil
        series.results(.hit, from: tier).increment()
        return .hit(answer, body: rendered)
    }

    static func miss(context: inout RequestContext, series: CacheSeries) -> Outcome {
        context.cache.result = .miss
        series.results(.miss, from: context.cache.tier).increment()
        return .proceed
    }
}
