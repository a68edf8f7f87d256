/// Why a request would take the route it takes: the answer of `POST /explain`.
package struct RouteExplanation: Hashable, Sendable {
    /// The decision `RouteTable.route` makes for the same inputs; nil when no route matches.
    package let decision: RouteDecision?
    /// One line per route tried before the match (or every route when none matched), in
    /// order: `routes[0] gray-release: model "gpt-3.5" does not match glob "gpt-4o*"`.
    package let skipped: [String]
    /// How the match picked its entry and model, or `no route matched`.
    package let outcome: String

    /// A value with exactly these fields.
    package init(decision: RouteDecision?, skipped: [String], outcome: String) {
        self.decision = decision
        self.skipped = skipped
        self.outcome = outcome
    }

    /// `skipped` then `outcome`.
    package var lines: [String] { skipped + [outcome] }
}
