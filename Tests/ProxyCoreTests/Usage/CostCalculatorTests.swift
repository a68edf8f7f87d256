import Testing
@testable import ProxyCore

/// Cost from usage and per-million prices.
@Suite struct CostCalculatorTests {
    static let calculator = CostCalculator(prices: [
        "gpt-4o": ModelPrice(input: 2.5, cachedInput: 1.25, output: 10)!,
        "deepseek-reasoner": ModelPrice(input: 0.55, cachedInput: 0.14, output: 2.19)!,
        "text-embedding-3-small": ModelPrice(input: 0.02, output: 0)!,
        "deepseek-chat-cny": ModelPrice(input: 2, cachedInput: 0.5, output: 8, currency: "CNY")!,
        "claude-sonnet": ModelPrice(input: 3, cachedInput: 0.3, cacheWriteInput: 3.75, output: 15)!,
    ])

    @Test func aMillionTokensOfEachKindCostTheirPricesExactly() {
        let usage = TokenUsage(prompt: 2_000_000, completion: 1_000_000, cached: 1_000_000)
        #expect(Self.calculator.cost(of: usage, model: "gpt-4o") == Cost(amount: 2.5 + 1.25 + 10, currency: "USD"))
    }

    @Test func cachedTokensAreBilledAtTheCachedPriceAndTheRestAtInput() {
        let usage = TokenUsage(prompt: 1117, completion: 46, cached: 1024, reasoning: 0)
        let expected = (93 * 2.5 + 1024 * 1.25 + 46 * 10.0) / 1_000_000
        #expect(Self.calculator.cost(of: usage, model: "gpt-4o")?.amount == expected)
    }

    @Test func cacheWritesAreBilledAtTheCacheWritePriceAndNotAlsoAsInput() {
        // Anthropic: input 100, cache reads 2000, cache writes 1000 → prompt 3100.
        let usage = TokenUsage(prompt: 3100, completion: 50, cached: 2000, cacheWritten: 1000)
        let perMillion: Double = 100 * 3 + 2000 * 0.3 + 1000 * 3.75 + 50 * 15
        let expected = perMillion / 1_000_000
        #expect(Self.calculator.cost(of: usage, model: "claude-sonnet")?.amount == expected)
        let withoutWritePrice: Double = 1100 * 2.5 + 2000 * 1.25 + 50 * 10
        #expect(Self.calculator.cost(of: usage, model: "gpt-4o")?.amount == withoutWritePrice / 1_000_000,
                "without a cache-write price, writes cost input")
        let inconsistent = TokenUsage(prompt: 10, cached: 8, cacheWritten: 5)
        let capped: Double = 8 * 0.3 + 2 * 3.75
        #expect(Self.calculator.cost(of: inconsistent, model: "claude-sonnet")?.amount == capped / 1_000_000,
                "writes are capped at the prompt left after reads")
    }

    @Test func reasoningTokensArePricedAsTheOutputTheyArePartOf() {
        let usage = TokenUsage(prompt: 13, completion: 227, cached: 0, reasoning: 188)
        let cost = Self.calculator.cost(of: usage, model: "deepseek-reasoner")!.amount
        #expect(abs(cost - (13 * 0.55 + 227 * 2.19) / 1_000_000) <= 1e-18)
    }

    @Test func withoutACachedPriceCachedTokensCostInputPrice() {
        let usage = TokenUsage(prompt: 1_000_000, cached: 500_000)
        #expect(Self.calculator.cost(of: usage, model: "text-embedding-3-small")?.amount == 0.02)
    }

    @Test func unknownModelHasNoCost() {
        #expect(Self.calculator.cost(of: TokenUsage(prompt: 1, completion: 1), model: "gpt-5-unknown") == nil)
        #expect(Self.calculator.price(for: "other") == nil)
    }

    @Test func unreportedUsageHasNoCostRatherThanZero() {
        #expect(Self.calculator.cost(of: TokenUsage(), model: "gpt-4o") == nil)
    }

    @Test func cachedCountAboveThePromptIsCappedAndNegativeCountsAreZero() {
        let price = ModelPrice(input: 4, cachedInput: 1, output: 8)!
        #expect(CostCalculator.cost(of: TokenUsage(prompt: 1_000_000, completion: 0, cached: 3_000_000), at: price)?.amount == 1)
        #expect(CostCalculator.cost(of: TokenUsage(prompt: Int.max, completion: -5, cached: Int.min), at: price)?.amount
            == Double(Int.max) * 4 / 1_000_000)
    }

    @Test func invalidPricesAreRejected() {
        #expect(ModelPrice(input: -1, output: 1) == nil)
        #expect(ModelPrice(input: 1, output: .infinity) == nil)
        #expect(ModelPrice(input: 1, cachedInput: .nan, output: 1) == nil)
        #expect(ModelPrice(input: 0, cachedInput: 0, output: 0) != nil)
    }

    @Test func costCarriesTheCurrencyOfThePrice() {
        #expect(Self.calculator.cost(of: TokenUsage(prompt: 1_000_000), model: "deepseek-chat-cny") == Cost(amount: 2, currency: "CNY"))
        #expect(Self.calculator.price(for: "gpt-4o")?.currency == "USD")
    }
}
