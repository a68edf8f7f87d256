import Testing
@testable import ProxyCore

@Suite struct BackoffTests {
    let backoff = Backoff(base: .milliseconds(100), max: .seconds(2))

    @Test func ceilingsDoubleUpToTheMaximum() {
        #expect(backoff.ceiling(retry: 0) == .milliseconds(100))
        #expect(backoff.ceiling(retry: 1) == .milliseconds(200))
        #expect(backoff.ceiling(retry: 4) == .milliseconds(1600))
        #expect(backoff.ceiling(retry: 5) == .seconds(2))
        #expect(backoff.ceiling(retry: 63) == .seconds(2))
        #expect(backoff.ceiling(retry: 64) == .seconds(2))
        #expect(backoff.ceiling(retry: Int.max) == .seconds(2))
        #expect(backoff.ceiling(retry: -3) == .milliseconds(100))
    }

    @Test func delaysStayWithinZeroAndTheCeilingOverManyRandomValues() {
        var random = SplitMix64(seed: 5)
        for retry in 0..<70 {
            let ceiling = backoff.ceiling(retry: retry)
            var smallest = ProxyDuration(nanoseconds: .max), largest = ProxyDuration.zero
            for _ in 0..<500 {
                let delay = backoff.delay(retry: retry, random: random.next())
                #expect(delay <= ceiling)
                smallest = min(smallest, delay)
                largest = max(largest, delay)
            }
            // Full jitter: the delays cover the range, not a band near the ceiling.
            #expect(smallest.nanoseconds < ceiling.nanoseconds / 10)
            #expect(largest.nanoseconds > ceiling.nanoseconds / 10 * 9)
        }
    }

    @Test func extremeRandomValuesMapToTheEnds() {
        #expect(backoff.delay(retry: 0, random: 0) == .zero)
        #expect(backoff.delay(retry: 0, random: .max) == .milliseconds(100))
        #expect(backoff.delay(retry: 10, random: .max) == .seconds(2))
    }

    @Test func extremeConfigurationsDoNotOverflow() {
        let huge = Backoff(base: ProxyDuration(nanoseconds: .max / 2), max: ProxyDuration(nanoseconds: .max))
        #expect(huge.ceiling(retry: 1) == ProxyDuration(nanoseconds: .max - 1))
        #expect(huge.ceiling(retry: 2) == ProxyDuration(nanoseconds: .max))
        #expect(huge.delay(retry: 5, random: 12345) == ProxyDuration(nanoseconds: 12345))
        let zero = Backoff(base: .zero, max: .seconds(1))
        #expect(zero.delay(retry: 3, random: .max) == .zero)
    }
}
