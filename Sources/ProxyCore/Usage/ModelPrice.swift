/// What one model costs, per million tokens, and in which currency.
///
/// Built from config (`backends[].prices`, `ModelPriceConfig`: same fields); an immutable
/// value shared by every loop.
package struct ModelPrice: Hashable, Sendable {
    /// Price of one million uncached input (prompt) tokens.
    package let input: Double
    /// Price of one million input tokens read from the provider's prompt cache; nil means
    /// cached tokens cost the same as other input tokens.
    package let cachedInput: Double?
    /// Price of one million input tokens written to the provider's prompt cache (Anthropic's
    /// cache writes); nil means they cost the same as other input tokens.
    package let cacheWriteInput: Double?
    /// Price of one million output (completion) tokens, reasoning tokens included.
    package let output: Double
    /// The currency of the prices (ISO 4217, `"USD"` by default): the `currency`
    /// label of `sluice_cost_total`.
    package let currency: String

    /// Nil when a price is negative, NaN or infinite (config validation reports those first).
    package init?(input: Double, cachedInput: Double? = nil, cacheWriteInput: Double? = nil, output: Double, currency: String = "USD") {
        func valid(_ price: Double) -> Bool { price.isFinite && price >= 0 }
        guard valid(input), valid(output), cachedInput.map(valid) ?? true, cacheWriteInput.map(valid) ?? true else { return nil }
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWriteInput = cacheWriteInput
        self.output = output
        self.currency = currency
    }
}
