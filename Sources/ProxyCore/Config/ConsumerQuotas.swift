/// A consumer's quotas over calendar periods in UTC (`quotas`): prompt plus completion tokens
/// per day and month, and spend per day and month in one currency, computed from the
/// backends' `prices`. A nil field is no quota.
package struct ConsumerQuotas: Hashable, Sendable {
    package let tokensPerDay: Int?
    package let tokensPerMonth: Int?
    package let costPerDay: Double?
    package let costPerMonth: Double?
    /// ISO 4217; only prices in this currency count against the cost quotas (validation
    /// refuses cost quotas when a priced model uses another currency).
    package let currency: String

    /// The largest cost quota: spend is counted in millionths of the currency, up to 2^40 of them.
    package static let maxCost = 1_000_000.0
    /// The largest token quota (and token limit) a counter holds.
    package static let maxTokens = 1_000_000_000_000

    package init(tokensPerDay: Int? = nil, tokensPerMonth: Int? = nil, costPerDay: Double? = nil, costPerMonth: Double? = nil,
                 currency: String = "USD") {
        self.tokensPerDay = tokensPerDay
        self.tokensPerMonth = tokensPerMonth
        self.costPerDay = costPerDay
        self.costPerMonth = costPerMonth
        self.currency = currency
    }

    /// Whether any quota is set.
    package var isEmpty: Bool { tokensPerDay == nil && tokensPerMonth == nil && costPerDay == nil && costPerMonth == nil }
}

/// What a stream does when a consumer's token limit or quota runs out while it flows
/// (`midStreamExhaustion`).
package enum MidStreamExhaustion: String, CaseIterable, Hashable, Sendable {
    /// End it cleanly at once: a last chunk with `finish_reason: "length"`, an SSE `error`
    /// event (`insufficient_quota` or `rate_limit_exceeded`), then `data: [DONE]`.
    case cut
    /// Let it run to its end; the overshoot is charged (the next request is refused).
    case finish
}
