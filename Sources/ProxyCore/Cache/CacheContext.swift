/// What the cache did for one request, kept in its `RequestContext`: the lookup's result (the
/// `x-sluice-cache` header, the access log's `cache` field, `sluice_cache_results_total`), and,
/// when the answer may be stored, where and for how long.
package struct CacheContext: Sendable {
    package var result: CacheResult = .bypass
    /// The tier that answered a hit, or that was last asked on a miss; nil when bypassed.
    package var tier: CacheTierName?
    /// Set when the answer is to be stored under it.
    package var storeKey: CacheKey?
    /// How long a stored answer is served from the memory tier.
    package var ttl: ProxyDuration = .zero
    /// How long a stored answer is served from the Redis tier; nil: not written to Redis.
    package var redisTTL: ProxyDuration?
    /// Whether a stream served from the cache carries the usage chunk.
    package var includeUsage = false
    /// A hit's cost at the route's backend's prices: counted as saved, and charged to the
    /// consumer when the route charges hits (`chargeHits: usage`).
    package var hitCost: Cost?
    /// The semantic tier's query on a route with one: its scope and text while it is looked up,
    /// then (on a miss) the vector the stored answer is indexed under.
    package var semantic: SemanticQuery?

    package init() {}
}

/// The `x-sluice-cache` response header's values.
package enum CacheResult: String, Hashable, Sendable, CaseIterable {
    /// Answered from the cache.
    case hit
    /// Answered from the cache with the answer to a similar request (the semantic tier).
    case semanticHit = "semantic-hit"
    /// Looked up, not found: the provider answered.
    case miss
    /// Not looked up: the route has no cache, the request is not cacheable, or it asked for
    /// no lookup (`no-cache`, `refresh`).
    case bypass

    /// Whether the cache answered (an exact or a semantic hit): no provider tokens were spent.
    package var answeredFromCache: Bool { self == .hit || self == .semanticHit }
}

/// The cache tiers, as the `tier` label names them.
package enum CacheTierName: String, Hashable, Sendable {
    case memory
    /// The gateway's Redis, shared by every sidecar (asked after a memory miss).
    case redis
    /// Similar requests' answers, through an embedding (asked after the exact tiers missed).
    case semantic
}

/// The semantic tier's part of one request: the scope a match must share (the key of
/// everything but the embedded text), the text, and once the embeddings call answered, the vector.
package struct SemanticQuery: Sendable {
    package let scope: CacheKey
    package let text: String
    package var vector: SemanticVector?

    package init(scope: CacheKey, text: String, vector: SemanticVector? = nil) {
        self.scope = scope
        self.text = text
        self.vector = vector
    }
}
