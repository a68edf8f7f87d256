import Testing
@testable import ProxyCore

/// Token limits shared through Redis (ADR 0026), without Redis: the view a shared counter
/// keeps (the total Redis returned plus what changed here since), what it hands the sync
/// step to push, and strict mode's decision from Redis's answers.
@Suite struct SharedTokenLimiterTests {
    static func at(seconds: UInt64) -> MeterInstant { TokenLimiterTests.at(seconds: seconds) }
    static let instant = ProxyInstant(nanoseconds: 1_000_000_000)

    static func count(granted: Int64, count: Int64) -> RedisWindowCount {
        RedisWindowCount(granted: granted, count: count, resetAfter: .seconds(30), retryAfter: .zero)
    }

    @Test func everyLocalChangeIsPushedOnceAndTheViewBecomesRedisTotalPlusWhatChangedSince() throws {
        let counter = UsageCounter(shared: true)
        #expect(counter.take(upTo: 30, limit: 100, period: 5)! == (30, 30))
        counter.add(-10, reserved: 5, now: 5)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == 20)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == nil, "one push at a time")
        #expect(counter.take(upTo: 5, limit: 100, period: 5)! == (5, 25), "changes while a push waits")
        // Another sidecar used 50: Redis answers 70 (our 20 included).
        counter.syncSucceeded(total: 70, period: 5)
        #expect(counter.used(in: 5) == 75, "Redis's total plus the 5 taken since the push")
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == 5)
        counter.syncFailed(delta: 5, mayHaveRun: false)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == 5, "a push that never ran goes again")
        counter.syncFailed(delta: 5, mayHaveRun: true)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == 0, "a push that may have run is not counted twice")
    }

    @Test func aCounterThatIsNotSharedNeverHasAnythingToPush() {
        let counter = UsageCounter()
        _ = counter.take(upTo: 30, limit: 100, period: 5)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == nil)
    }

    @Test func anAdminSetIsPushedAsTheDifference() {
        let counter = UsageCounter(shared: true)
        counter.observe(total: 80, period: 3)
        counter.set(0, in: 3)
        #expect(counter.used(in: 3) == 0)
        #expect(counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == -80)
    }

    @Test func strictAdmissionHoldsWhatRedisGrantedAndSettlesTheDifferenceThroughThePush() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas(tokensPerDay: 1_000), shared: true)
        #expect(limiter.meters.map(\.kind) == [.tokenQuota(.day), .tokens(.minute)])
        // Redis granted the whole 60 of the day quota (900 used after) and trimmed the minute to 40 (100 after).
        let admission = limiter.admit([Self.count(granted: 60, count: 900), Self.count(granted: 40, count: 100)],
                                      prompt: 10, completion: 50, at: Self.at(seconds: 0))
        guard case .admitted(let reservation, let status) = admission else { Issue.record("refused"); return }
        #expect(reservation.taken[0] == 60 && reservation.taken[1] == 40)
        #expect(status?.remaining == 0 && status?.limit == 100)
        #expect(limiter.readings(at: Self.at(seconds: 0)).map(\.used) == [900, 100], "the view follows Redis")
        #expect(limiter.meters.map { $0.counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) } == [0, 0], "Redis already holds the grants")
        for meter in limiter.meters { meter.counter.syncFailed(delta: 0, mayHaveRun: true) }
        limiter.settle(reservation, prompt: 10, completion: 20, costMicros: 0, at: Self.at(seconds: 1))
        #expect(limiter.meters.map { $0.counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) } == [-30, -10], "the difference is pushed")
    }

    @Test func strictAdmissionRefusedByALimitWithNothingLeftGivesEveryGrantBack() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas(tokensPerDay: 1_000), shared: true)
        let admission = limiter.admit([Self.count(granted: 0, count: 1_000), Self.count(granted: 60, count: 60)],
                                      prompt: 10, completion: 50, at: Self.at(seconds: 0))
        guard case .refused(let meter, let status) = admission else { Issue.record("admitted"); return }
        #expect(meter.kind == .tokenQuota(.day) && status.remaining == 0)
        #expect(limiter.meters.map { $0.counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) } == [0, -60])
        limiter.giveBack([Self.count(granted: 0, count: 1_000), Self.count(granted: 25, count: 25)], at: Self.at(seconds: 0))
        #expect(limiter.meters[1].counter.beginSync(at: Self.instant, idleRefresh: .seconds(1)) == nil, "still waiting for the first push")
    }

    @Test func aLimiterIsSharedWhenTheConfigHasRedisExceptForAnonymousCallers() throws {
        let consumer = ConsumerConfig(name: "team", keysDirectory: "k", quotas: ConsumerQuotas(tokensPerDay: 10))
        let anonymous = ConsumerConfig(name: ConsumerConfig.anonymousName, keysDirectory: "", quotas: ConsumerQuotas(tokensPerDay: 10))
        let local = try decodeValidConfig(configText())
        let shared = try decodeValidConfig(configText(extra: #""redis": {"addresses": ["127.0.0.1:6379"]}"#))
        #expect(TokenLimiter.forConsumer(consumer, in: shared)?.shared == true)
        #expect(TokenLimiter.forConsumer(anonymous, in: shared)?.shared == false)
        #expect(TokenLimiter.forConsumer(consumer, in: local)?.shared == false)
        #expect(TokenLimiter.forConsumer(consumer, in: local)?.counts(consumer, in: shared) == false, "remade when Redis comes or goes")
    }
}
