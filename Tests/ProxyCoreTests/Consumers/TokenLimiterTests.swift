import Testing
@testable import ProxyCore

/// Token rate limits and quotas: reserve, trim, charge as a stream flows, settle, periods.
@Suite struct TokenLimiterTests {
    /// 2026-01-01T00:00:00Z.
    static let newYear: UInt64 = 1_767_225_600

    static func at(seconds: UInt64, wall: UInt64 = newYear) -> MeterInstant {
        MeterInstant(monotonic: ProxyInstant(nanoseconds: seconds * 1_000_000_000), wallNanoseconds: (wall + seconds) * 1_000_000_000)
    }

    static func reserve(_ limiter: TokenLimiter, prompt: Int, completion: Int, at instant: MeterInstant) -> (TokenReservation, RateLimitStatus?)? {
        guard case .admitted(let reservation, let status) = limiter.reserve(prompt: prompt, completion: completion, at: instant) else { return nil }
        return (reservation, status)
    }

    @Test func aReservationLargerThanWhatRemainsIsTrimmedAndTheNextRequestIsRefused() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas())
        let (first, status) = try #require(Self.reserve(limiter, prompt: 30, completion: 500, at: Self.at(seconds: 60)))
        #expect(first.taken[0] == 100, "trimmed to what remained")
        #expect(status == RateLimitStatus(limit: 100, remaining: 0, reset: .seconds(60)))
        guard case .refused(let meter, let refusal) = limiter.reserve(prompt: 1, completion: 1, at: Self.at(seconds: 90)) else {
            Issue.record("admitted"); return
        }
        #expect(meter.kind == .tokens(.minute) && refusal.reset == .seconds(30) && refusal.remaining == 0)
        limiter.settle(first, prompt: 30, completion: 20, costMicros: 0, at: Self.at(seconds: 95))
        let (_, after) = try #require(Self.reserve(limiter, prompt: 10, completion: 10, at: Self.at(seconds: 100)))
        #expect(after?.remaining == 30, "settled at 50, then 20 reserved")
    }

    @Test func tokenCountingChoosesWhatALimitCounts() throws {
        for (counting, remaining) in [(TokenCounting.input, 90), (.output, 80), (.total, 70)] {
            let limiter = TokenLimiter(limits: TokenRateLimits(perHour: 100, counting: counting), quotas: ConsumerQuotas())
            let (_, status) = try #require(Self.reserve(limiter, prompt: 10, completion: 20, at: Self.at(seconds: 0)))
            #expect(status?.remaining == remaining, "\(counting)")
        }
    }

    @Test func aRefusalTakesNothingFromTheLimitsThatHadRoom() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 1_000), quotas: ConsumerQuotas(tokensPerDay: 50))
        let (full, _) = try #require(Self.reserve(limiter, prompt: 50, completion: 0, at: Self.at(seconds: 0)))
        limiter.settle(full, prompt: 50, completion: 0, costMicros: 0, at: Self.at(seconds: 0))
        guard case .refused(let meter, _) = limiter.reserve(prompt: 10, completion: 10, at: Self.at(seconds: 1)), meter.kind == .tokenQuota(.day) else {
            Issue.record("not refused by the day quota"); return
        }
        let minute = limiter.readings(at: Self.at(seconds: 2)).first { $0.kind == .tokens(.minute) }
        #expect(minute?.used == 50, "the quota is checked first and the minute window keeps only what was settled")
    }

    @Test func aStreamIsChargedAsItFlowsAndTheLimitThatRunsOutIsNamed() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas())
        var (reservation, _) = try #require(Self.reserve(limiter, prompt: 10, completion: 40, at: Self.at(seconds: 0)))
        #expect(limiter.charge(&reservation, completion: 40, costMicros: 0, at: Self.at(seconds: 1)) == nil, "within the reservation")
        #expect(limiter.charge(&reservation, completion: 80, costMicros: 0, at: Self.at(seconds: 2)) == nil, "40 more taken")
        #expect(limiter.charge(&reservation, completion: 95, costMicros: 0, at: Self.at(seconds: 3))?.kind == .tokens(.minute))
        #expect(reservation.taken[0] == 100)
        limiter.settle(reservation, prompt: 10, completion: 95, costMicros: 0, at: Self.at(seconds: 4))
        #expect(limiter.readings(at: Self.at(seconds: 4))[0].used == 105, "the overshoot is charged: the next request waits for the window")
    }

    @Test func spendIsCheckedAtAdmissionAndChargedWhenSettledOrAsAStreamFlows() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(), quotas: ConsumerQuotas(costPerDay: 0.0001))
        #expect(limiter.meters.map(\.limit) == [100])
        var (reservation, _) = try #require(Self.reserve(limiter, prompt: 1_000, completion: 1_000, at: Self.at(seconds: 0)))
        #expect(reservation.taken[0] == 0, "nothing to reserve before a price is known")
        #expect(limiter.charge(&reservation, completion: 10, costMicros: 60, at: Self.at(seconds: 1)) == nil)
        #expect(limiter.charge(&reservation, completion: 20, costMicros: 120, at: Self.at(seconds: 2))?.kind == .costQuota(.day))
        limiter.settle(reservation, prompt: 1_000, completion: 20, costMicros: 130, at: Self.at(seconds: 3))
        guard case .refused(let meter, let status) = limiter.reserve(prompt: 1, completion: 1, at: Self.at(seconds: 4)), meter.kind == .costQuota(.day) else {
            Issue.record("admitted"); return
        }
        #expect(status.reset == .seconds(86_396))
        #expect(limiter.readings(at: Self.at(seconds: 86_400))[0].used == 0, "a new UTC day")
    }

    @Test func releasingGivesEverythingBackAndAnOldPeriodsReservationIsNotGivenBackToTheNewOne() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas())
        let (first, _) = try #require(Self.reserve(limiter, prompt: 30, completion: 30, at: Self.at(seconds: 0)))
        limiter.release(first, at: Self.at(seconds: 1))
        #expect(limiter.readings(at: Self.at(seconds: 1))[0].used == 0)
        let (second, _) = try #require(Self.reserve(limiter, prompt: 30, completion: 30, at: Self.at(seconds: 59)))
        _ = try #require(Self.reserve(limiter, prompt: 5, completion: 5, at: Self.at(seconds: 61)))
        limiter.settle(second, prompt: 10, completion: 10, costMicros: 0, at: Self.at(seconds: 62))
        #expect(limiter.readings(at: Self.at(seconds: 62))[0].used == 10, "less than reserved, in a window already over: nothing changes now")
        let (third, _) = try #require(Self.reserve(limiter, prompt: 10, completion: 0, at: Self.at(seconds: 119)))
        limiter.settle(third, prompt: 50, completion: 0, costMicros: 0, at: Self.at(seconds: 121))
        #expect(limiter.readings(at: Self.at(seconds: 121))[0].used == 40, "more than reserved: the rest counts in the current window")
    }

    @Test func adminResetsAndAdjustsOneLimit() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas(tokensPerMonth: 1_000))
        let (reservation, _) = try #require(Self.reserve(limiter, prompt: 60, completion: 0, at: Self.at(seconds: 0)))
        limiter.settle(reservation, prompt: 60, completion: 0, costMicros: 0, at: Self.at(seconds: 0))
        #expect(limiter.adjust("quotas.tokensPerMonth", .delta(-100), at: Self.at(seconds: 1)))
        #expect(limiter.adjust("tokensPerMinute", .reset, at: Self.at(seconds: 1)))
        #expect(!limiter.adjust("quotas.costPerDay", .reset, at: Self.at(seconds: 1)), "no such limit")
        let readings = limiter.readings(at: Self.at(seconds: 1))
        #expect(readings.map(\.used) == [0, 0], "never below zero")
        #expect(limiter.adjust("quotas.tokensPerMonth", .delta(1_500), at: Self.at(seconds: 2)))
        #expect(limiter.readings(at: Self.at(seconds: 2))[0].remaining == 0)
    }

    @Test func aRoutedRequestsSpendIsReservedTrimmedAndRefusedOnceNothingRemains() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(), quotas: ConsumerQuotas(costPerDay: 0.0001))
        // Three requests admitted at once (admission checks only that some budget remains), then routed.
        var first = try #require(Self.reserve(limiter, prompt: 10, completion: 10, at: Self.at(seconds: 0))).0
        var second = try #require(Self.reserve(limiter, prompt: 10, completion: 10, at: Self.at(seconds: 0))).0
        var third = try #require(Self.reserve(limiter, prompt: 10, completion: 10, at: Self.at(seconds: 0))).0
        #expect(limiter.reserveSpend(&first, micros: 60, at: Self.at(seconds: 0)) == nil)
        #expect(limiter.reserveSpend(&second, micros: 60, at: Self.at(seconds: 0)) == nil)
        #expect(second.taken[0] == 40, "trimmed to what remained")
        #expect(limiter.reserveSpend(&third, micros: 60, at: Self.at(seconds: 0))?.kind == .costQuota(.day), "nothing left")
        limiter.settle(first, prompt: 10, completion: 10, costMicros: 30, at: Self.at(seconds: 1))
        #expect(limiter.readings(at: Self.at(seconds: 1))[0].used == 70, "settled with the real cost: 30 of the 60 given back")
        #expect(limiter.charge(&second, completion: 10, costMicros: 40, at: Self.at(seconds: 2)) == nil, "a stream within its reserved spend")
    }

    @Test func quotaPeriodsAreUTCCalendarDaysAndMonths() {
        let newYear = Self.newYear
        #expect(QuotaPeriod.month.secondsUntilReset(atWallSeconds: newYear) == 31 * 86_400)
        #expect(QuotaPeriod.month.secondsUntilReset(atWallSeconds: newYear + 31 * 86_400) == 28 * 86_400, "February 2026")
        let leapFebruary: UInt64 = 1_896_134_400  // 2030-02-01; 2028-02-01 is 1_832_976_000
        #expect(QuotaPeriod.month.secondsUntilReset(atWallSeconds: 1_832_976_000) == 29 * 86_400, "February 2028 is a leap month")
        #expect(QuotaPeriod.month.number(atWallSeconds: leapFebruary) == 60 * 12 + 1)
        #expect(QuotaPeriod.month.number(atWallSeconds: newYear - 1) == 55 * 12 + 11, "2025-12-31T23:59:59Z")
        #expect(QuotaPeriod.day.secondsUntilReset(atWallSeconds: newYear + 3_600) == 82_800)
        for days in stride(from: UInt64(0), to: 200_000, by: 37) {
            let (year, month) = QuotaPeriod.civilMonth(fromDays: days)
            let first = QuotaPeriod.days(year: year, month: month)
            #expect(first <= days && days - first < 31, "day \(days)")
        }
    }

    @Test func theCounterKeepsAmountsUpToItsWidthAndStartsEachPeriodAtZero() {
        let counter = UsageCounter()
        #expect(counter.take(upTo: 5, limit: 10, period: 7)! == (5, 5))
        #expect(counter.used(in: 8) == 0)
        counter.add(Int.max / 2, reserved: 7, now: 7)
        #expect(counter.used(in: 7) == UsageCounter.maxAmount)
        #expect(counter.take(upTo: 1, limit: ConsumerQuotas.maxTokens, period: 7) == nil)
        #expect(counter.take(upTo: 0, limit: 1, period: 8)! == (0, 0), "a want of zero checks that something remains")
    }

    @Test func extremeCountsFromAProviderOrAnAdminNeverTrap() throws {
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas(tokensPerDay: 1_000))
        let (reservation, _) = try #require(Self.reserve(limiter, prompt: 10, completion: 10, at: Self.at(seconds: 0)))
        limiter.settle(reservation, prompt: Int.max, completion: Int.max, costMicros: Int.min, at: Self.at(seconds: 1))
        #expect(limiter.readings(at: Self.at(seconds: 1)).map(\.remaining) == [0, 0])
        #expect(limiter.adjust("tokensPerMinute", .delta(Int.max), at: Self.at(seconds: 2)))
        #expect(limiter.adjust("tokensPerMinute", .delta(Int.min), at: Self.at(seconds: 2)))
        #expect(limiter.readings(at: Self.at(seconds: 2)).first { $0.kind == .tokens(.minute) }?.used == 0)
        limiter.settle(reservation, prompt: -5, completion: Int.min, costMicros: 0, at: Self.at(seconds: 3))
    }

    @Test func quotaUsedPercentIsTheFullestQuotaAndIgnoresRateWindows() throws {
        #expect(TokenLimiter(limits: TokenRateLimits(perMinute: 100), quotas: ConsumerQuotas()).quotaUsedPercent(at: Self.at(seconds: 0)) == nil)
        let limiter = TokenLimiter(limits: TokenRateLimits(perMinute: 100),
                                   quotas: ConsumerQuotas(tokensPerDay: 1_000, tokensPerMonth: 100_000, costPerDay: 1))
        #expect(limiter.quotaUsedPercent(at: Self.at(seconds: 0)) == 0)
        let (reservation, _) = try #require(Self.reserve(limiter, prompt: 50, completion: 40, at: Self.at(seconds: 0)))
        #expect(limiter.quotaUsedPercent(at: Self.at(seconds: 1)) == 9, "a reservation in flight counts; the minute window (90 %) does not")
        limiter.settle(reservation, prompt: 50, completion: 40, costMicros: 700_000, at: Self.at(seconds: 2))
        #expect(limiter.quotaUsedPercent(at: Self.at(seconds: 3)) == 70, "spend: 0.70 of 1 a day")
        #expect(limiter.quotaUsedPercent(at: Self.at(seconds: 86_400)) == 0, "a new day, and the month quota holds 0.09 %")
    }
}
