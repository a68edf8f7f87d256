/// What an `auto` model does for a consumer that has used a large share of its quotas
/// (`routes[].auto[].overBudget`, `docs/routing.md`): prefer cheaper models.
package struct OverBudgetConfig: Hashable, Sendable {
    /// From this share (percent, 1 to 100) of any of the consumer's token or spend quotas
    /// used, the rule applies.
    package let usedPercent: Int
    /// Candidates above this tier are set aside (tried only when nothing at or below it can
    /// serve the request); nil: tiers are not restricted.
    package let maxTier: Int?
    /// The strategy that ranks instead of the `auto` model's own; nil: its own. Only `cost`
    /// is accepted (the one that saves money).
    package let strategy: AutoStrategy?

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(usedPercent: Int, maxTier: Int? = nil, strategy: AutoStrategy? = nil) {
        self.usedPercent = usedPercent
        self.maxTier = maxTier
        self.strategy = strategy
    }
}
