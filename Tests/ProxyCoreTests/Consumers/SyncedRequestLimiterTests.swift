import Testing
@testable import ProxyCore

/// Sync mode's limiter: admissions against the last global total plus local ones, the sync
/// steps, staleness.
@Suite struct SyncedRequestLimiterTests {
    static let start = ProxyInstant(nanoseconds: 1_000_000_000)

    static func at(_ milliseconds: UInt64) -> ProxyInstant { start.advanced(by: .milliseconds(milliseconds)) }

    @Test func betweenSyncsItAdmitsUpToTheLimitLocally() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 3), staleAfter: .milliseconds(300), now: Self.start)
        let decisions = (0..<4).map { _ in limiter.acquire(at: Self.at(1)) }
        #expect(decisions.prefix(3).allSatisfy { if case .decided(.admitted) = $0 { true } else { false } })
        guard case .decided(.limited(let status)) = decisions[3] else {
            Issue.record("expected a refusal, got \(decisions[3])")
            return
        }
        #expect(status.limit == 3 && status.remaining == 0)
    }

    @Test func readingsShowTheGlobalTotalPlusWhatWasAdmittedHereSince() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 10), staleAfter: .milliseconds(300), now: Self.start)
        let window = limiter.windows[0]
        _ = limiter.beginSync(window)
        limiter.syncSucceeded(window, total: 6, resetAfter: .seconds(20), at: Self.at(10))
        _ = limiter.acquire(at: Self.at(11))
        let readings = limiter.readings(at: Self.at(1_010))
        #expect(readings.map(\.window) == [.minute])
        #expect(readings.map(\.status) == [RateLimitStatus(limit: 10, remaining: 3, reset: .seconds(19))])
    }

    @Test func theGlobalTotalFromASyncCountsAgainstTheLimit() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 5), staleAfter: .milliseconds(300), now: Self.start)
        let window = limiter.windows[0]
        _ = limiter.acquire(at: Self.at(1))
        #expect(limiter.beginSync(window) == 1)
        #expect(limiter.beginSync(window) == nil, "one sync of a window at a time")
        #expect(window.estimate == 1, "what is in flight still counts")
        // Another sidecar admitted 3: the global total is 4.
        limiter.syncSucceeded(window, total: 4, resetAfter: .seconds(20), at: Self.at(10))
        guard case .decided(.admitted(let status?)) = limiter.acquire(at: Self.at(11)) else {
            Issue.record("expected an admission")
            return
        }
        #expect(status.remaining == 0)
        #expect(status.reset == .milliseconds(19_999))
        #expect(limiter.acquire(at: Self.at(12)) == .decided(.limited(RateLimitStatus(limit: 5, remaining: 0, reset: .milliseconds(19_998)))))
    }

    @Test func aFailedSyncThatDidNotRunIsPushedAgainAndOneThatMayHaveRunIsNot() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 10), staleAfter: .milliseconds(300), now: Self.start)
        let window = limiter.windows[0]
        _ = limiter.acquire(at: Self.at(1))
        _ = limiter.acquire(at: Self.at(1))
        #expect(limiter.beginSync(window) == 2)
        limiter.syncFailed(window, mayHaveRun: false)
        #expect(limiter.beginSync(window) == 2)
        limiter.syncFailed(window, mayHaveRun: true)
        #expect(limiter.beginSync(window) == 0)
    }

    @Test func withoutASuccessfulSyncForStaleAfterItIsStale() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perSecond: 10), staleAfter: .milliseconds(300), now: Self.start)
        #expect(!limiter.isStale(at: Self.at(300)))
        #expect(limiter.acquire(at: Self.at(301)) == .stale)
        limiter.syncSucceeded(limiter.windows[0], total: 0, resetAfter: .seconds(1), at: Self.at(302))
        if case .decided(.admitted) = limiter.acquire(at: Self.at(303)) {} else { Issue.record("a sync makes it fresh again") }
    }
}
