/// One route: conditions, and the weighted split that receives what matches.
package struct RouteConfig: Hashable, Sendable {
    /// Unique among routes; appears in `x-sluice-route` and metrics labels.
    package let name: String
    /// The conditions, all of which must hold; nil makes the route a catch-all (then it must be last).
    package let match: RouteMatchConfig?
    /// Where matching requests go, by weight; at least one entry, weights summing to more than 0.
    package let split: [SplitEntryConfig]
    /// Hash this header to pick the split entry, so a user keeps their side of a gray release.
    package let sticky: StickyConfig?
    /// Where a failed request goes next; nil: nowhere (retries only).
    package let fallback: FallbackConfig?
    /// Retries of each target; nil uses `defaults.retry`. Replaces it as a whole.
    package let retry: RetryConfig?
    /// The whole request's time budget, every attempt and wait included; nil uses `defaults.deadline`.
    package let deadline: ProxyDuration?
    /// The most upstream requests for one client request (primary, retries and fallbacks);
    /// nil uses `defaults.maxAttempts`.
    package let maxAttempts: Int?
    /// How much of a response may be held to allow a truncation fallback; nil: `TruncationConfig.default`.
    package let truncation: TruncationConfig?
    /// The response cache; nil: the route never caches.
    package let cache: RouteCacheConfig?
    /// Virtual model names answered by choosing among registry entries per request; empty: none.
    package let auto: [AutoModelConfig]

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, match: RouteMatchConfig? = nil, split: [SplitEntryConfig], sticky: StickyConfig? = nil,
                 fallback: FallbackConfig? = nil, retry: RetryConfig? = nil, deadline: ProxyDuration? = nil,
                 maxAttempts: Int? = nil, truncation: TruncationConfig? = nil, cache: RouteCacheConfig? = nil,
                 auto: [AutoModelConfig] = []) {
        self.name = name
        self.match = match
        self.split = split
        self.sticky = sticky
        self.fallback = fallback
        self.retry = retry
        self.deadline = deadline
        self.maxAttempts = maxAttempts
        self.truncation = truncation
        self.cache = cache
        self.auto = auto
    }

    /// Whether the route matches every request (no conditions at all).
    package var isCatchAll: Bool { match?.isEmpty ?? true }
}
