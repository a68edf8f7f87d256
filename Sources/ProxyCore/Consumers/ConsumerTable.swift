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

        init(name: String, digests: [KeyDigest], allowedModels: [GlobPattern]?, limiter: RequestRateLimiter?, tokenLimiter: TokenLimiter?,
             estimatedOutputTokens: Int, midStreamExhaustion: MidStreamExhaustion, priority: Int?) {
            self.name = name
            self.digests = digests
            self.allowedModels = allowedModels
            self.limiter = limiter
            self.tokenLimiter = tokenLimiter
            self.estimatedOutputTokens = estimatedOutputTokens
            self.midStreamExhaustion = midStreamExhaustion
            self.priority = priority
        }
    }

    package let consumers: [Consumer]
    package let allowAnonymous: Bool
    /// The limits of requests without a consumer (`authentication.anonymous`); nil: none.
    package let anonymous: Consumer?

    /// Consumers from `config`, each with the digests of its keys and its limiters (by index
    /// in `config.meteredParties`: the anonymous limits come last; limiters are carried over
    /// reloads by the caller).
    package init(_ config: ProxyConfig, digests: [[KeyDigest]], limiters: [RequestRateLimiter?],
                 tokenLimiters: [TokenLimiter?] = []) {
        func consumer(_ index: Int, _ consumer: ConsumerConfig) -> Consumer {
            Consumer(name: consumer.name, digests: index < digests.count ? digests[index] : [],
                     allowedModels: consumer.allowedModels.map { $0.map(GlobPattern.init) },
                     limiter: index < limiters.count ? limiters[index] : nil,
                     tokenLimiter: index < tokenLimiters.count ? tokenLimiters[index] : nil,
                     estimatedOutputTokens: consumer.estimatedOutputTokens, midStreamExhaustion: consumer.midStreamExhaustion,
                     priority: consumer.priority.flatMap { config.defaults.priorities?.levels.firstIndex(of: $0) })
        }
        consumers = config.consumers.enumerated().map(consumer)
        anonymous = config.authentication.anonymous.map { consumer(config.consumers.count, $0) }
        allowAnonymous = config.consumers.isEmpty || config.authentication.allowAnonymous
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
