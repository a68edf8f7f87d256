/// The configured consumers as the authenticate and admit phases use them: key digests,
/// compiled model rights and shared request limiters. Built with the snapshot, off the
/// request path; read-only afterwards.
package struct ConsumerTable: Sendable {
    /// One consumer; `index` in `consumers` is its identity within the snapshot. A class, so
    /// the request path passes one reference around rather than copying five.
    package final class Consumer: Sendable {
        package let name: String
        package let digests: [KeyDigest]
        /// nil: every model.
        package let allowedModels: [GlobPattern]?
        /// nil: no request limits.
        package let limiter: RequestRateLimiter?
        /// nil: no token limits nor quotas.
        package let tokenLimiter: TokenLimiter?
        /// Output tokens reserved for a request that sets no `max_tokens`.
        package let estimatedOutputTokens: Int
        package let midStreamExhaustion: MidStreamExhaustion
        /// The index of its priority class in `defaults.priorities.levels`; nil: none set.
        package let priority: Int?
        /// Its per-model overrides, in config order (the first that matches a model applies).
        package let models: [ModelLimits]

        init(name: String, digests: [KeyDigest], allowedModels: [GlobPattern]?, limiter: RequestRateLimiter?, tokenLimiter: TokenLimiter?,
             estimatedOutputTokens: Int, midStreamExhaustion: MidStreamExhaustion, priority: Int?, models: [ModelLimits]) {
            self.name = name
            self.digests = digests
            self.allowedModels = allowedModels
            self.limiter = limiter
            self.tokenLimiter = tokenLimiter
            self.estimatedOutputTokens = estimatedOutputTokens
            self.midStreamExhaustion = midStreamExhaustion
            self.priority = priority
            self.models = models
        }

        /// The index in `models` of the override for `model`: the first whose pattern matches;
        /// nil for none (or a request without a model). One glob match per override, at most.
        package func override(for model: String?) -> Int? {
            guard let model, !models.isEmpty else { return nil }
            return models.firstIndex { $0.pattern.matches(model) }
        }

        /// What a request counted by override `index` (nil: none) reserves its tokens against:
        /// the consumer's token limiter, or the combined one of the override.
        package func tokenLimiter(override index: Int?) -> TokenLimiter? {
            guard let index else { return tokenLimiter }
            return models[index].requestTokenLimiter
        }

        /// The consumer's own token limiter, then each override's own (admin, metrics, sync).
        package var ownTokenLimiters: [TokenLimiter] {
            (tokenLimiter.map { [$0] } ?? []) + models.compactMap(\.tokenLimiter)
        }
    }

    /// One per-model override of a consumer (`consumers[].models[]`, ADR 0030): its pattern, and
    /// limiters of its own, counted on top of the consumer's.
    package final class ModelLimits: Sendable {
        /// The pattern as configured (`ModelLimitsConfig.match`).
        package let match: String
        let pattern: GlobPattern
        /// The override's request limits; nil: none.
        package let limiter: RequestRateLimiter?
        /// The override's own token meters (carried over reloads); nil: none.
        package let tokenLimiter: TokenLimiter?
        /// The consumer's token meters then the override's: what a matching request reserves
        /// against (nil when neither has any).
        package let requestTokenLimiter: TokenLimiter?

        init(match: String, limiter: RequestRateLimiter?, tokenLimiter: TokenLimiter?, consumerTokenLimiter: TokenLimiter?) {
            self.match = match
            pattern = GlobPattern(match)
            self.limiter = limiter
            self.tokenLimiter = tokenLimiter
            requestTokenLimiter = tokenLimiter.map { TokenLimiter.combining(consumerTokenLimiter, with: $0) } ?? consumerTokenLimiter
        }

        /// `models[<match>].`, what names its limits.
        package var scope: String { ModelLimitsConfig.scope(match) }
    }

    /// A per-model override's limiters, as carried over reloads (nil: fresh ones).
    package typealias OverrideLimiters = (limiter: RequestRateLimiter?, tokenLimiter: TokenLimiter?)

    package let consumers: [Consumer]
    package let allowAnonymous: Bool
    /// The limits of requests without a consumer (`authentication.anonymous`); nil: none.
    package let anonymous: Consumer?

    /// Consumers from `config`, each with the digests of its keys and its limiters (by index
    /// in `config.meteredParties`: the anonymous limits come last; limiters are carried over
    /// reloads by the caller).
    /// `overrideLimiters`: by party index, then override index, the limiters of each per-model
    /// override to keep using; absent: fresh ones.
    package init(_ config: ProxyConfig, digests: [[KeyDigest]], limiters: [RequestRateLimiter?],
                 tokenLimiters: [TokenLimiter?] = [], overrideLimiters: [[OverrideLimiters]] = []) {
        func consumer(_ index: Int, _ consumer: ConsumerConfig) -> Consumer {
            let tokenLimiter = index < tokenLimiters.count ? tokenLimiters[index] : nil
            let models = consumer.models.enumerated().map { position, override in
                let kept = index < overrideLimiters.count ? overrideLimiters[index][position] : Self.freshLimiters(override, of: consumer, in: config)
                return ModelLimits(match: override.match, limiter: kept.limiter, tokenLimiter: kept.tokenLimiter, consumerTokenLimiter: tokenLimiter)
            }
            return Consumer(name: consumer.name, digests: index < digests.count ? digests[index] : [],
                            allowedModels: consumer.allowedModels.map { $0.map(GlobPattern.init) },
                            limiter: index < limiters.count ? limiters[index] : nil, tokenLimiter: tokenLimiter,
                            estimatedOutputTokens: consumer.estimatedOutputTokens, midStreamExhaustion: consumer.midStreamExhaustion,
                            priority: consumer.priority.flatMap { config.defaults.priorities?.levels.firstIndex(of: $0) }, models: models)
        }
        consumers = config.consumers.enumerated().map(consumer)
        anonymous = config.authentication.anonymous.map { consumer(config.consumers.count, $0) }
        allowAnonymous = config.consumers.isEmpty || config.authentication.allowAnonymous
    }

    /// New limiters for `override` of `consumer` in `config` (shared through Redis like the consumer's).
    package static func freshLimiters(_ override: ModelLimitsConfig, of consumer: ConsumerConfig, in config: ProxyConfig) -> OverrideLimiters {
        let party = override.party(of: consumer)
        return (RequestRateLimiter.forConsumer(party), TokenLimiter.forConsumer(party, in: config, scope: override.scope))
    }

    /// The consumers, then the anonymous limits when set (admin, metrics).
    package var metered: [Consumer] { anonymous.map { consumers + [$0] } ?? consumers }

    /// The consumer at `index`, or the anonymous limits for a request without one.
    package func limits(of index: Int?) -> Consumer? {
        guard let index else { return anonymous }
        return consumers[index]
    }

    /// Who sent a request presenting `key` (nil: none). Every configured digest is compared,
    /// each in constant time, whichever matches: the time taken depends only on the number of
    /// keys configured.
    package func authenticate(key: Substring.UTF8View?) -> Authentication {
        if consumers.isEmpty { return .anonymous }
        guard let key else { return allowAnonymous ? .anonymous : .refused(.missingKey) }
        let digest = SHA256.digest(key)
        var found = -1
        for (index, consumer) in consumers.enumerated() {
            for candidate in consumer.digests where candidate.matches(digest) { found = index }
        }
        return found >= 0 ? .consumer(found) : .refused(.unknownKey)
    }

    /// Whether consumer `index` may ask for `model`; a request without a model passes.
    package func allows(_ index: Int, model: String?) -> Bool {
        guard let model, let globs = consumers[index].allowedModels else { return true }
        return globs.contains { $0.matches(model) }
    }
}

/// The outcome of looking up a request's key.
package enum Authentication: Hashable, Sendable {
    /// No consumers are configured, or no key was presented and anonymous requests are allowed.
    case anonymous
    /// The key belongs to the consumer at this index of the table.
    case consumer(Int)
    case refused(AuthenticationFailure)
}

/// Why a request was refused with 401.
package enum AuthenticationFailure: Hashable, Sendable {
    case missingKey
    case unknownKey
}
