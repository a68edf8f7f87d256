/// A route's resilience settings, resolved once per config snapshot: fallback candidates as
/// backend indices, effective triggers, retry, deadline and attempt limit.
///
/// Immutable and shared by every loop; `UpstreamAttemptStateMachine` reads it per request.
package struct AttemptPolicy: Hashable, Sendable {
    /// The fallback chain, in order.
    package let chain: [FallbackCandidate]
    /// What retries and falls back.
    package let triggers: FallbackTriggers
    /// Tries per target (1 = no retry).
    package let attemptsPerTarget: Int
    /// The wait between tries of one target.
    package let backoff: Backoff
    /// Whether the provider's requested wait is a minimum.
    package let honorRetryAfter: Bool
    /// The whole request's time budget.
    package let deadline: ProxyDuration
    /// The most upstream requests per client request.
    package let maxAttempts: Int

    /// A policy with exactly these settings (tests; the data plane uses `AttemptPolicyTable`).
    package init(chain: [FallbackCandidate] = [], triggers: FallbackTriggers = .default, attemptsPerTarget: Int = 1,
                 backoff: Backoff = Backoff(.default), honorRetryAfter: Bool = true,
                 deadline: ProxyDuration = DefaultsConfig.defaultDeadline, maxAttempts: Int = DefaultsConfig.defaultMaxAttempts) {
        self.chain = chain
        self.triggers = triggers
        self.attemptsPerTarget = max(1, attemptsPerTarget)
        self.backoff = backoff
        self.honorRetryAfter = honorRetryAfter
        self.deadline = deadline
        self.maxAttempts = max(1, maxAttempts)
    }

    /// The effective policy of `config.routes[routeIndex]`. Throws only for a config that
    /// skipped `ProxyConfigDecoder` (a fallback naming an unknown backend).
    package init(routeIndex: Int, in config: ProxyConfig) throws(ProxyConfigError) {
        let route = config.routes[routeIndex]
        var chain: [FallbackCandidate] = []
        var issues: [ConfigIssue] = []
        for (index, entry) in (route.fallback?.chain ?? []).enumerated() {
            guard let backendIndex = config.backendIndex(named: entry.backend) else {
                issues.append(ConfigIssue(path: "routes[\(routeIndex)].fallback.chain[\(index)].backend",
                                          message: "unknown backend \(ConfigIssue.quoted(entry.backend))"))
                continue
            }
            chain.append(FallbackCandidate(backendIndex: backendIndex, backendName: entry.backend, model: entry.model,
                                           backendModels: config.backends[backendIndex].models))
        }
        guard issues.isEmpty else { throw ProxyConfigError(issues: issues) }
        let retry = config.retry(for: route)
        self.init(chain: chain, triggers: config.fallbackTriggers(for: route), attemptsPerTarget: retry.attempts,
                  backoff: Backoff(retry.backoff), honorRetryAfter: retry.honorRetryAfter,
                  deadline: config.deadline(for: route), maxAttempts: config.maxAttempts(for: route))
    }

    /// Every route's policy, by route index (as `RouteDecision.routeIndex`).
    package static func table(for config: ProxyConfig) throws(ProxyConfigError) -> [AttemptPolicy] {
        var policies: [AttemptPolicy] = []
        var issues: [ConfigIssue] = []
        for index in config.routes.indices {
            do {
                policies.append(try AttemptPolicy(routeIndex: index, in: config))
            } catch {
                issues += error.issues
            }
        }
        guard issues.isEmpty else { throw ProxyConfigError(issues: issues) }
        return policies
    }
}
