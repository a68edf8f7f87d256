import Testing
@testable import ProxyCore

/// The fixed-window request limiter, driven with explicit instants (a manual clock).
@Suite struct RequestRateLimiterTests {
    static func at(_ milliseconds: UInt64) -> ProxyInstant { ProxyInstant(nanoseconds: milliseconds * 1_000_000) }

    @Test func aWindowAdmitsExactlyItsLimitThenRefusesUntilItEnds() {
        let limiter = RequestRateLimiter(RequestRateLimits(perMinute: 3))
        #expect(limiter.acquire(at: Self.at(60_000)) == .admitted(RateLimitStatus(limit: 3, remaining: 2, reset: .seconds(60))))
        #expect(limiter.acquire(at: Self.at(70_000)) == .admitted(RateLimitStatus(limit: 3, remaining: 1, reset: .seconds(50))))
        #expect(limiter.acquire(at: Self.at(80_000)) == .admitted(RateLimitStatus(limit: 3, remaining: 0, reset: .seconds(40))))
        guard case .limited(let status) = limiter.acquire(at: Self.at(119_500)) else { Issue.record("not limited"); return }
        #expect(status == RateLimitStatus(limit: 3, remaining: 0, reset: .milliseconds(500)))
        #expect(status.retryAfterSeconds == 1)
        #expect(limiter.acquire(at: Self.at(120_000)) == .admitted(RateLimitStatus(limit: 3, remaining: 2, reset: .seconds(60))))
    }

    @Test func readingsShowEachWindowsCountInItsCurrentWindowOnly() {
        let limiter = RequestRateLimiter(RequestRateLimits(perSecond: 5, perHour: 10))
        _ = limiter.acquire(at: Self.at(500))
        _ = limiter.acquire(at: Self.at(600))
        let readings = limiter.readings(at: Self.at(900))
        #expect(readings.map(\.window) == [.second, .hour])
        #expect(readings.map(\.status) == [RateLimitStatus(limit: 5, remaining: 3, reset: .milliseconds(100)),
                                           RateLimitStatus(limit: 10, remaining: 8, reset: .milliseconds(3_599_100))])
        #expect(limiter.readings(at: Self.at(1_000)).map(\.status.remaining) == [5, 8], "a new second starts at zero")
    }

    @Test func aRequestMustFitEveryWindowAndTheRefusingWindowSaysWhenToRetry() {
        let limiter = RequestRateLimiter(RequestRateLimits(perSecond: 2, perMinute: 2))
        _ = limiter.acquire(at: Self.at(0))
        _ = limiter.acquire(at: Self.at(1_000))
        guard case .limited(let status) = limiter.acquire(at: Self.at(2_000)) else { Issue.record("not limited"); return }
        #expect(status.limit == 2 && status.reset == .seconds(58), "the minute window refused")
        // The next minute starts every shorter window afresh too.
        #expect(limiter.acquire(at: Self.at(60_000)) == .admitted(RateLimitStatus(limit: 2, remaining: 1, reset: .seconds(1))))
        #expect(limiter.acquire(at: Self.at(60_100)) == .admitted(RateLimitStatus(limit: 2, remaining: 0, reset: .milliseconds(900))))
        guard case .limited(let second) = limiter.acquire(at: Self.at(60_200)) else { Issue.record("not limited"); return }
        #expect(second.reset == .milliseconds(800), "the per-second window refused first")
    }

    @Test func theHeadersReportTheWindowWithTheFewestRequestsLeft() {
        let limiter = RequestRateLimiter(RequestRateLimits(perSecond: 10, perDay: 2))
        #expect(limiter.acquire(at: Self.at(0)) == .admitted(RateLimitStatus(limit: 2, remaining: 1, reset: .seconds(86_400))))
    }

    @Test func resetTextUsesOpenAIsDurationForm() {
        func text(_ duration: ProxyDuration) -> String { RateLimitStatus(limit: 1, remaining: 0, reset: duration).resetText }
        #expect(text(.milliseconds(250)) == "250ms")
        #expect(text(.milliseconds(16_200)) == "17s")
        #expect(text(.seconds(360)) == "6m0s")
        #expect(text(.seconds(3_723)) == "1h2m3s")
    }

    @Test func concurrentCallersNeverGetMoreThanTheLimit() async {
        let limiter = RequestRateLimiter(RequestRateLimits(perMinute: 1_000))
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<500 { if case .admitted = limiter.acquire(at: Self.at(1)) { count += 1 } }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 1_000)
    }
}
