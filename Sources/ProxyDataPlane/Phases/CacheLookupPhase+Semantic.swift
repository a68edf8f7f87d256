import ProxyCore
import ProxyIO

/// Phase 7's semantic tier (`docs/config.md`, "The semantic tier"): after the exact tiers
/// missed, the embeddings call's vector is looked up in the route's index, then (with the Redis
/// tier) in the scope's vectors in Redis; a match at or above the threshold is served like an
/// exact hit (`semantic-hit`), anything else is a miss that keeps the vector for the store.
extension CacheLookupPhase {
    /// The embeddings call the semantic tier needs: on `backend` (an index into the snapshot's
    /// backends), with the route's model and timeout.
    struct SemanticEmbedding {
        let backend: Int
        let config: SemanticCacheConfig
        let text: String
    }

    /// The semantic tier's read of the Redis tier: the answer of the most similar vector another
    /// sidecar stored in the scope, or a miss (nothing similar enough, its answer gone, a failure).
    static func finishSharedSemantic(_ outcome: SemanticRedisRead.Outcome, snapshot: ProxySnapshot, context: inout RequestContext,
                                     now: ProxyInstant, wallNanoseconds: UInt64, on loopSnapshot: LoopSnapshot, loop: LoopContext) -> Outcome {
        guard let decision = context.decision else { return .proceed }
        let series = loopSnapshot.cache(route: decision.routeIndex)
        guard let (answer, rendered, _) = answer(from: outcome, context: context, now: now, wallNanoseconds: wallNanoseconds, loop: loop) else {
            return miss(context: &context, series: series)
        }
        context.cache.semantic = nil
        return hit(answer, rendered: rendered, from: .semantic, context: &context, series: series)
    }

    /// The semantic tier's answer: the embeddings call's vector (or why there is none) and how
    /// long it took. A hit serves the stored answer most similar to the request in its semantic
    /// scope when the similarity reaches the route's threshold and the answer is still in the
    /// memory tier; anything else is a miss that keeps the vector, so the answer stored for this
    /// request is indexed under it. A failed call is a miss too, never an error.
    static func finishSemantic(_ result: Result<SemanticVector, EmbeddingsExchange.Failure>, took: ProxyDuration, snapshot: ProxySnapshot,
                               context: inout RequestContext, now: ProxyInstant, on loopSnapshot: LoopSnapshot, loop: LoopContext,
                               waiter: some CacheReadWaiter) -> Outcome {
        guard let decision = context.decision, let index = snapshot.semanticIndexes[decision.routeIndex],
              let scope = context.cache.semantic?.scope, let tier = snapshot.cacheTier else { return .proceed }
        let series = loopSnapshot.cache(route: decision.routeIndex)
        series.embeddingDuration().observe(Double(took.nanoseconds) / 1e9)
        let vector: SemanticVector
        switch result {
        case .success(let found):
            vector = found
        case .failure(let failure):
            series.embeddingErrors(failure).increment()
            context.cache.semantic = nil
            return miss(context: &context, series: series)
        }
        context.cache.semantic?.vector = vector
        guard let match = index.best(in: scope, for: vector, at: now), index.config.admits(match.similarity),
              let answer = tier.lookup(match.entry, at: now),
              let rendered = answer.rendered(asStream: context.streamRequested, includeUsage: context.cache.includeUsage) else {
            // Then the vectors other sidecars stored, when the route uses the Redis tier.
            guard let config = snapshot.routeCaches[decision.routeIndex], let shared = sharedTier(config, snapshot: snapshot, loop: loop) else {
                return miss(context: &context, series: series)
            }
            SemanticRedisRead.start(store: shared.store, scopeKey: scope.semanticRedisKey(prefix: shared.redis.config.keyPrefix), vector: vector,
                                    config: index.config, timeout: shared.redis.config.timeout, scheduler: loop.scheduler) { [waiter] outcome in
                waiter.sharedSemanticReadCompleted(outcome)
            }
            return .suspended
        }
        context.cache.semantic = nil
        return hit(answer, rendered: rendered, from: .semantic, context: &context, series: series)
    }

    /// After the exact tiers missed: the semantic tier's embeddings call when the route has
    /// one and the request is chat-shaped text, else a miss.
    static func missOrEmbed(snapshot: ProxySnapshot, context: inout RequestContext, series: CacheSeries) -> Outcome {
        guard let decision = context.decision, let config = snapshot.routeCaches[decision.routeIndex]?.semantic,
              snapshot.semanticIndexes[decision.routeIndex] != nil, let query = context.cache.semantic,
              let backend = snapshot.backends.firstIndex(where: { $0.name == config.backend }) else {
            return miss(context: &context, series: series)
        }
        context.cache.tier = .semantic
        return .embed(SemanticEmbedding(backend: backend, config: config, text: query.text))
    }
}
