/// A route's response cache (`routes[].cache`): which requests may be answered from the cache
/// and which answers are kept. A route without it never caches.
package struct RouteCacheConfig: Hashable, Sendable {
    /// Which requests are looked up and stored.
    package enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Never: as if the route had no `cache`.
        case off
        /// Only requests that ask for a reproducible answer: `temperature` 0 or a `seed`.
        case deterministic
        /// Every request (the app accepts a repeated answer to a sampled prompt).
        case always
    }

    /// Who shares an entry.
    package enum Scope: String, Hashable, Sendable, CaseIterable {
        /// Each consumer its own entries (anonymous requests share theirs): no answer crosses teams.
        case consumer
        /// Every caller of the route.
        case shared
    }

    /// What a hit costs the consumer's token limits, quotas and spend quotas (its request
    /// limits count every request, hits included).
    package enum HitCharge: String, Hashable, Sendable, CaseIterable {
        /// Nothing: the tokens reserved at admission are given back.
        case none
        /// The stored answer's usage and its cost at the route's backend's prices, as if the
        /// provider had answered.
        case usage
    }

    package let mode: Mode
    /// How long an entry is served, in both tiers unless `memoryTTL` or `redisTTL` sets one apart. Default 1h.
    package let ttl: ProxyDuration
    /// The memory tier's own TTL; nil: `ttl`.
    package let memoryTTL: ProxyDuration?
    /// The Redis tier's own TTL; nil: `ttl`. Only with the top-level `redis` and `redis` true.
    package let redisTTL: ProxyDuration?
    /// Whether the route uses the Redis tier when the config has a top-level `redis`. Default true.
    package let redis: Bool
    package let scope: Scope
    /// Top-level request fields left out of the key besides `stream` and `stream_options`.
    /// Default `user`, `metadata`.
    package let ignoreFields: [String]
    /// Whether answers with several choices (`n` > 1) are cached.
    package let allowMultipleChoices: Bool
    /// Whether answers that call tools are cached.
    package let allowToolCalls: Bool
    /// Whether requests for log probabilities are cached.
    package let allowLogprobs: Bool
    /// What a hit costs the consumer. Default `none`.
    package let chargeHits: HitCharge
    /// The semantic tier; nil: exact matches only.
    package let semantic: SemanticCacheConfig?

    /// 1h.
    package static let defaultTTL = ProxyDuration.seconds(3600)
    /// The longest `ttl` accepted: 30 days.
    package static let maxTTL = ProxyDuration.seconds(30 * 86400)
    package static let defaultIgnoreFields = ["user", "metadata"]
    /// Fields that carry the prompt: never left out of the key.
    package static let keyFields = ["model", "messages", "prompt", "input"]

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(mode: Mode = .deterministic, ttl: ProxyDuration = defaultTTL, memoryTTL: ProxyDuration? = nil,
                 redisTTL: ProxyDuration? = nil, redis: Bool = true, scope: Scope = .consumer,
                 ignoreFields: [String] = defaultIgnoreFields, allowMultipleChoices: Bool = false,
                 allowToolCalls: Bool = false, allowLogprobs: Bool = false, chargeHits: HitCharge = .none,
                 semantic: SemanticCacheConfig? = nil) {
        self.mode = mode
        self.ttl = ttl
        self.memoryTTL = memoryTTL
        self.redisTTL = redisTTL
        self.redis = redis
        self.scope = scope
        self.ignoreFields = ignoreFields
        self.allowMultipleChoices = allowMultipleChoices
        self.allowToolCalls = allowToolCalls
        self.allowLogprobs = allowLogprobs
        self.chargeHits = chargeHits
        self.semantic = semantic
    }

    /// How long an entry is served from `tier`.
    package func ttl(of tier: CacheTierName) -> ProxyDuration {
        switch tier {
        case .memory, .semantic: memoryTTL ?? ttl
        case .redis: redisTTL ?? ttl
        }
    }
}
