import Testing
@testable import ProxyCore

@Suite struct RetryBudgetTests {
    static func at(_ milliseconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: 1_000_000_000_000 + milliseconds * 1_000_000) }

    @Test func theMinimumIsAllowedEvenWithoutTraffic() {
        var budget = RetryBudget(percent: 20, minRetries: 3)
        for _ in 0..<3 {
            #expect(budget.canRetry(at: Self.at(0)))
            budget.recordRetry(at: Self.at(0))
        }
        #expect(!budget.canRetry(at: Self.at(0)))
    }

    @Test func retriesAreCappedAtTheirShareOfRequests() {
        var budget = RetryBudget(percent: 20, minRetries: 0)
        for _ in 0..<100 { budget.recordRequest(at: Self.at(100)) }
        for _ in 0..<20 {
            #expect(budget.canRetry(at: Self.at(200)))
            budget.recordRetry(at: Self.at(200))
        }
        #expect(!budget.canRetry(at: Self.at(200)))
        // More requests make room again.
        for _ in 0..<5 { budget.recordRequest(at: Self.at(300)) }
        #expect(budget.canRetry(at: Self.at(300)))
        #expect(budget.totals(at: Self.at(300)) == (105, 20))
    }

    @Test func theWindowSlidesAndForgetsOldCounts() {
        var budget = RetryBudget(percent: 10, minRetries: 1, window: .seconds(10), buckets: 10)
        budget.recordRetry(at: Self.at(0))
        #expect(!budget.canRetry(at: Self.at(5_000)))
        #expect(!budget.canRetry(at: Self.at(9_999)))
        #expect(budget.canRetry(at: Self.at(10_000)))
        // A bucket reused after a full lap is cleared first.
        budget.recordRequest(at: Self.at(20_000))
        #expect(budget.totals(at: Self.at(20_000)) == (1, 0))
    }

    @Test func zeroPercentLeavesOnlyTheMinimum() {
        var budget = RetryBudget(percent: 0, minRetries: 1)
        for _ in 0..<1000 { budget.recordRequest(at: Self.at(0)) }
        #expect(budget.canRetry(at: Self.at(0)))
        budget.recordRetry(at: Self.at(0))
        #expect(!budget.canRetry(at: Self.at(0)))
    }
}
