/// Turns token usage into money, from per-model prices per million tokens.
///
/// Immutable and `Sendable`: built once per config snapshot, typically one per backend
/// from its `prices` (keyed by the upstream model name), and read by every loop. Look a
/// model's price up once per request (`price(for:)`), or call `cost(of:model:)`.
///
/// **Formula.** With every count at least 0, `cached` capped at `prompt` and `written` (cache
/// writes) at `prompt − cached`:
///
///     amount = ((prompt − cached − written) × input + cached × (cachedInput ?? input)
///               + written × (cacheWriteInput ?? input) + completion × output) / 1,000,000
///
/// Reasoning tokens are part of `completion` and priced as output. Anthropic's cache
/// writes are part of `prompt` (see `UsageExtractor`), priced at `cacheWriteInput`.
///
/// **Rounding.** Computed in IEEE 754 binary64, each operation rounded to nearest (ties to
/// even); token counts convert exactly (below 2⁵³). The result is not rounded to cents or
/// any decimal grid, so a counter summing millions of requests keeps sub-cent accuracy:
/// the relative error of one cost is at most a few units in the last place (about 10⁻¹⁵).
/// A product of exactly representable numbers is exact (1,000,000 tokens at 2.5 cost 2.5).
package struct CostCalculator: Sendable {
    private let prices: [String: ModelPrice]

    /// Creates a calculator; `prices` maps model names to prices.
    package init(prices: [String: ModelPrice]) {
        self.prices = prices
    }

    /// The price of `model`, or nil when the config names none.
    package func price(for model: String) -> ModelPrice? {
        prices[model]
    }

    /// The cost of `usage` for `model`; nil when the model has no price or the provider
    /// reported no usage (an unknown cost is not a zero cost).
    package func cost(of usage: TokenUsage, model: String) -> Cost? {
        guard let price = prices[model] else { return nil }
        return Self.cost(of: usage, at: price)
    }

    /// The cost of `usage` at `price`; nil when the provider reported no usage. A count
    /// the provider left out (say, `completion` for embeddings) counts as zero.
    package static func cost(of usage: TokenUsage, at price: ModelPrice) -> Cost? {
        guard usage.reported else { return nil }
        // Clamped so that no value of `TokenUsage` can make the subtraction overflow.
        let prompt = Swift.max(0, usage.prompt ?? 0)
        let cached = Swift.max(0, Swift.min(usage.cached ?? 0, prompt))
        let written = Swift.max(0, Swift.min(usage.cacheWritten ?? 0, prompt - cached))
        let uncached = prompt - cached - written
        let completion = Swift.max(0, usage.completion ?? 0)
        let perMillion = Double(uncached) * price.input
            + Double(cached) * (price.cachedInput ?? price.input)
            + Double(written) * (price.cacheWriteInput ?? price.input)
            + Double(completion) * price.output
        return Cost(amount: perMillion / 1_000_000, currency: price.currency)
    }
}
