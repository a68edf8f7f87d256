/// A route's effective resilience settings: its own where set, else `defaults`.
extension ProxyConfig {
    /// The route's `retry`, else `defaults.retry`.
    package func retry(for route: RouteConfig) -> RetryConfig { route.retry ?? defaults.retry }

    /// The route's `deadline`, else `defaults.deadline`.
    package func deadline(for route: RouteConfig) -> ProxyDuration { route.deadline ?? defaults.deadline }

    /// The route's `maxAttempts`, else `defaults.maxAttempts`.
    package func maxAttempts(for route: RouteConfig) -> Int { route.maxAttempts ?? defaults.maxAttempts }

    /// The route's `fallback.on`, else `defaults.fallbackOn`.
    package func fallbackTriggers(for route: RouteConfig) -> FallbackTriggers { route.fallback?.on ?? defaults.fallbackOn }

    /// The route's `truncation`, else `TruncationConfig.default`.
    package func truncation(for route: RouteConfig) -> TruncationConfig { route.truncation ?? .default }
}
