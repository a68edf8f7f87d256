/// What one upstream model costs, per million tokens (`backends[].prices`), as configured;
/// the usage side turns it into a `ModelPrice` for its `CostCalculator` of that currency.
package struct ModelPriceConfig: Hashable, Sendable {
    /// Per 1M prompt tokens.
    package let input: Double
    /// Per 1M completion tokens.
    package let output: Double
    /// Per 1M prompt tokens served from the provider's prompt cache; nil charges them as `input`.
    package let cachedInput: Double?
    /// Per 1M prompt tokens written to the provider's prompt cache (Anthropic's
    /// `cache_creation_input_tokens`); nil charges them as `input`.
    package let cacheWriteInput: Double?
    /// An ISO 4217 code, three capital letters. Default `"USD"`.
    package let currency: String

    /// The largest price accepted per 1M tokens, so cost sums stay finite.
    package static let maxPrice = 1_000_000.0

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(input: Double, output: Double, cachedInput: Double? = nil, cacheWriteInput: Double? = nil, currency: String = "USD") {
        self.input = input
        self.output = output
        self.cachedInput = cachedInput
        self.cacheWriteInput = cacheWriteInput
        self.currency = currency
    }
}
