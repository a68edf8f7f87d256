import ProxyCore
import ProxyIO

/// Phase 7, cache lookup (after route, which names the backend and model in the key): on a
/// route with a cache, reads the request's cache headers and body, computes the key, and looks
/// it up in the memory tier. A hit is rendered in the form the client asked for; a miss or a
/// bypass goes upstream, with the key kept in the context when the answer may be stored
/// (`CacheStorePhase`). Routes without a cache cost nothing here.
///
/// Called on the request's event loop; the tier is shared (one shard locked per lookup).
enum CacheLookupPhase {
    /// What the lookup decided.
    enum Outcome {
        /// Go upstream (a miss, a bypass, or no cache on the route).
        case proceed
        /// Answer with `body`: the cached answer rendered in the form the request asks for.
        case hit(CachedAnswer, body: [UInt8])
        /// A cache header the sidecar cannot honour.
        case invalid(LocalAnswer)
    }

    static func run(head: HTTPRequestHead, body: [UInt8], snapshot: ProxySnapshot, context: inout RequestContext, now: ProxyInstant,
                    on loopSnapshot: LoopSnapshot) -> Outcome {
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
            series.results(.bypass).increment()
            return .proceed
        }
        let scope = config.scope == .shared ? "shared" : "consumer:" + context.consumerName
        let key = CacheKey(route: decision.routeName, backend: decision.backendName, model: context.upstreamModel ?? "",
                           path: String(head.path), scope: scope, namespace: directive.namespace, canonicalBody: request.canonicalBody,
                           sha256: OpenSSLSHA256.digest)
        if directive.refresh { tier.remove(key) }
        context.cache.includeUsage = request.includeUsage
        if directive.store {
            context.cache.storeKey = key
            context.cache.ttl = min(directive.ttl ?? config.ttl, config.ttl)
        }
        guard directive.lookup else {
            series.results(.bypass).increment()
            return .proceed
        }
        context.cache.tier = .memory
        if let answer = tier.lookup(key, at: now),
           let rendered = answer.rendered(asStream: context.streamRequested, includeUsage: request.includeUsage) {
            context.cache.result = .hit
            context.cache.storeKey = nil
            series.results(.hit).increment()
            return .hit(answer, body: rendered)
        }
        context.cache.result = .miss
        series.results(.miss).increment()
        return .proceed
    }
}
