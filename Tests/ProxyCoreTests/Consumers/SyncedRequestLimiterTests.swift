import Testing
@testable import ProxyCore

/// Sync mode's limiter: admissions against the last global total plus local ones, the sync
/// steps, staleness.
@Suite struct SyncedRequestLimiterTests {
    static let start = ProxyInstant(nanoseconds: 1_000_000_000)

    static func at(_ milliseconds: UInt64) -> ProxyInstant { start.advanced(by: .milliseconds(milliseconds)) }

    @Test func betweenSyncsItAdmitsUpToTheLimitLocally() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 3))
        let decisions = (0..<4).map { _ in limiter.acquire(at: Self.at(1)) }
        #expect(decisions.prefix(3).allSatisfy { if case .admitted = $0 { true } else { false } })
        guard case .limited(let status) = decisions[3] else {
            Issue.record("expected a refusal, got \(decisions[3])")
            return
        }
        #expect(status.limit == 3 && status.remaining == 0)
    }

    @Test func readingsShowTheGlobalTotalPlusWhatWasAdmittedHereSince() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 10))
        let window = limiter.windows[0]
        _ = limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1))
        limiter.syncSucceeded(window, total: 6, resetAfter: .seconds(20), at: Self.at(10))
        _ = limiter.acquire(at: Self.at(11))
        let readings = limiter.readings(at: Self.at(1_010))
        #expect(readings.map(\.window) == [.minute])
        #expect(readings.map(\.status) == [RateLimitStatus(limit: 10, remaining: 3, reset: .seconds(19))])
    }

    @Test func theGlobalTotalFromASyncCountsAgainstTheLimit() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 5))
        let window = limiter.windows[0]
        _ = limiter.acquire(at: Self.at(1))
        #expect(limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1)) == 1)
        #expect(limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1)) == nil, "one sync of a window at a time")
        #expect(window.estimate == 1, "what is in flight still counts")
        // Another sidecar admitted 3: the global total is 4.
        limiter.syncSucceeded(window, total: 4, resetAfter: .seconds(20), at: Self.at(10))
        guard case .admitted(let status?) = limiter.acquire(at: Self.at(11)) else {
            Issue.record("expected an admission")
            return
        }
        #expect(status.remaining == 0)
        #expect(status.reset == .milliseconds(19_999))
        #expect(limiter.acquire(at: Self.at(12)) == .limited(RateLimitStatus(limit: 5, remaining: 0, reset: .milliseconds(19_998))))
    }

    @Test func aFailedSyncThatDidNotRunIsPushedAgainAndOneThatMayHaveRunIsNot() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 10))
        let window = limiter.windows[0]
        _ = limiter.acquire(at: Self.at(1))
        _ = limiter.acquire(at: Self.at(1))
        #expect(limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1)) == 2)
        limiter.syncFailed(window, mayHaveRun: false)
        #expect(limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1)) == 2)
        limiter.syncFailed(window, mayHaveRun: true)
        #expect(limiter.beginSync(window, at: Self.at(5), idleRefresh: .seconds(1)) == 0)
    }

    @Test func anIdleWindowIsPushedOncePerIdleRefreshAndABusyOneEveryTime() {
        let limiter = SyncedRequestLimiter(RequestRateLimits(perMinute: 10))
        let window = limiter.windows[0]
        let refresh = ProxyDuration.seconds(1)
        func push(at milliseconds: UInt64) -> Int64? {
            let delta = limiter.beginSync(window, at: Self.at(milliseconds), idleRefresh: refresh)
            if delta != nil { limiter.syncSucceeded(window, total: 0, resetAfter: .seconds(60), at: Self.at(milliseconds)) }
            return delta
        }
        #expect(push(at: 0) == 0, "the first sync reads every window")
        #expect(push(at: 50) == nil && push(at: 100) == nil, "idle: not pushed every interval")
        #expect(push(at: 1_000) == 0, "but once per idleRefresh")
        _ = limiter.acquire(at: Self.at(1_010))
        #expect(push(at: 1_050) == 1)
        #expect(push(at: 1_100) == 0 && push(at: 2_000) == 0, "refreshed every interval for idleRefresh after a change")
        #expect(push(at: 2_100) == nil, "then idle again")
    }
}
