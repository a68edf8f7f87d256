/// A virtual model name a route answers by choosing among registry entries per request
/// (`routes[].auto[]`, `docs/routing.md`).
package struct AutoModelConfig: Hashable, Sendable {
    /// The name clients send as `model` (`auto`, `auto-cheap`…); unique within the route.
    package let name: String
    /// How the capable candidates are ranked.
    package let strategy: AutoStrategy
    /// The registry entries to choose among, in tie-break order; nil: every entry of every backend.
    package let candidates: [AutoCandidateConfig]?
    /// Head room kept free in the context window, in percent of it (default 10).
    package let contextMarginPercent: Int
    /// The output tokens assumed for cost when the request sets no `max_tokens` (default 256).
    package let expectedOutputTokens: Int
    /// Rules over the request that narrow the candidates; the first that matches applies.
    package let classes: [AutoClassConfig]
    /// Cheaper choices for a consumer past a share of its quotas; nil: none.
    package let overBudget: OverBudgetConfig?

    package static let defaultContextMarginPercent = 10
    package static let defaultExpectedOutputTokens = 256

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, strategy: AutoStrategy, candidates: [AutoCandidateConfig]? = nil,
                 contextMarginPercent: Int = defaultContextMarginPercent,
                 expectedOutputTokens: Int = defaultExpectedOutputTokens, classes: [AutoClassConfig] = [],
                 overBudget: OverBudgetConfig? = nil) {
        self.name = name
        self.strategy = strategy
        self.candidates = candidates
        self.contextMarginPercent = contextMarginPercent
        self.expectedOutputTokens = expectedOutputTokens
        self.classes = classes
        self.overBudget = overBudget
    }
}

/// How an `auto` model ranks its capable candidates.
package enum AutoStrategy: Hashable, Sendable {
    /// Cheapest estimated cost of this request first.
    case cost
    /// Lowest live p95 time to first token first.
    case latency
    /// Cheapest first among those whose live p95 time to first token is at most `maxP95`.
    case costWithinLatency(maxP95: ProxyDuration)

    /// The name in the config, metrics and logs.
    package var name: String {
        switch self {
        case .cost: "cost"
        case .latency: "latency"
        case .costWithinLatency: "cost-within-latency"
        }
    }
}

/// One registry entry an `auto` model may choose: a backend and one of its `modelInfo` models.
package struct AutoCandidateConfig: Hashable, Sendable {
    package let backend: String
    package let model: String

    package init(backend: String, model: String) {
        self.backend = backend
        self.model = model
    }
}

/// A class rule: when its condition holds for a request, only candidates with every tag in
/// `requireTags` and a tier of at least `minTier` stay.
package struct AutoClassConfig: Hashable, Sendable {
    /// What a request must show for the class to apply.
    package enum Condition: Hashable, Sendable {
        /// Any of these words or phrases in the last user message, ASCII case-insensitively.
        case keywords([String])
        /// The regular expression (`LinearRegex`) matches somewhere in the last user message.
        case regex(String)
        /// A request header condition.
        case header(HeaderMatch)
    }

    /// For explain, logs and metrics' `reason`.
    package let name: String
    package let condition: Condition
    package let requireTags: [String]
    package let minTier: Int?

    package init(name: String, condition: Condition, requireTags: [String] = [], minTier: Int? = nil) {
        self.name = name
        self.condition = condition
        self.requireTags = requireTags
        self.minTier = minTier
    }
}
