import Testing
@testable import ProxyCore

@Suite struct RetryAfterTests {
    // Sun, 06 Nov 1994 08:49:37 GMT.
    static let date: UInt64 = 784_111_777

    @Test func deltaSecondsAreSeconds() {
        #expect(RetryAfter.retryAfter("2", nowEpochSeconds: 0) == .seconds(2))
        #expect(RetryAfter.retryAfter(" 30 ", nowEpochSeconds: 0) == .seconds(30))
        #expect(RetryAfter.retryAfter("1.5", nowEpochSeconds: 0) == .milliseconds(1500))
        #expect(RetryAfter.retryAfter("0", nowEpochSeconds: 0) == .zero)
    }

    @Test func hugeOrOverflowingNumbersAreCappedAtAnHour() {
        #expect(RetryAfter.retryAfter("86400", nowEpochSeconds: 0) == RetryAfter.cap)
        #expect(RetryAfter.retryAfter("99999999999999999999999999999", nowEpochSeconds: 0) == RetryAfter.cap)
        #expect(RetryAfter.milliseconds("18446744073709551615") == RetryAfter.cap)
        #expect(RetryAfter.resetDuration("9999999h") == RetryAfter.cap)
        #expect(RetryAfter.resetDuration("99999999999999999999h") == RetryAfter.cap)
    }

    @Test func garbageIsIgnored() {
        for text in ["", " ", "-1", "abc", "1e3", "1..2", "2 s", "+3", "0x10"] {
            #expect(RetryAfter.retryAfter(text, nowEpochSeconds: 0) == nil, "\(text)")
        }
        #expect(RetryAfter.milliseconds("ms") == nil)
        #expect(RetryAfter.resetDuration("soon") == nil)
    }

    @Test func httpDatesInAllThreeFormsGiveTheTimeUntilThem() {
        let now = Self.date - 90
        #expect(RetryAfter.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", nowEpochSeconds: now) == .seconds(90))
        #expect(RetryAfter.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT", nowEpochSeconds: now) == .seconds(90))
        #expect(RetryAfter.retryAfter("Sun Nov  6 08:49:37 1994", nowEpochSeconds: now) == .seconds(90))
        #expect(HTTPDateParser.epochSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDateParser.epochSeconds("Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
    }

    @Test func aDateInThePastMeansNoWaitAndAFarDateIsCapped() {
        #expect(RetryAfter.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", nowEpochSeconds: Self.date + 5) == .zero)
        #expect(RetryAfter.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", nowEpochSeconds: Self.date) == RetryAfter.cap)
    }

    @Test func malformedDatesAreIgnored() {
        for text in ["Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                     "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nov 1994 8:49:37 GMT", "Sun, 06 Nov 1969 08:49:37 GMT",
                     "Sun, 06 Nov 99999 08:49:37 GMT"] {
            #expect(RetryAfter.retryAfter(text, nowEpochSeconds: 0) == nil, "\(text)")
        }
    }

    @Test func goDurationsOfRateLimitResetsParse() {
        #expect(RetryAfter.resetDuration("1m30s") == .seconds(90))
        #expect(RetryAfter.resetDuration("6ms") == .milliseconds(6))
        #expect(RetryAfter.resetDuration("2.5s") == .milliseconds(2500))
        #expect(RetryAfter.resetDuration("20") == .seconds(20))
    }

    @Test func retryAfterMillisecondsWinsOverRetryAfter() {
        let headers: HTTPHeaders = ["Retry-After": "2", "retry-after-ms": "1500"]
        #expect(RetryAfter.wait(in: headers, nowEpochSeconds: 0) == .milliseconds(1500))
        #expect(RetryAfter.wait(in: ["Retry-After": "2"], nowEpochSeconds: 0) == .seconds(2))
        #expect(RetryAfter.wait(in: ["Retry-After": "later", "retry-after-ms": "x"], nowEpochSeconds: 0) == nil)
    }

    @Test func rateLimitResetsCountTheExhaustedLimitOrTheLonger() {
        let both: HTTPHeaders = ["x-ratelimit-reset-requests": "6ms", "x-ratelimit-reset-tokens": "1m30s"]
        #expect(RetryAfter.wait(in: both, nowEpochSeconds: 0) == .seconds(90))
        var requestsOut = both
        requestsOut.append(name: "x-ratelimit-remaining-requests", value: "0")
        requestsOut.append(name: "x-ratelimit-remaining-tokens", value: "4000")
        #expect(RetryAfter.wait(in: requestsOut, nowEpochSeconds: 0) == .milliseconds(6))
        #expect(RetryAfter.wait(in: ["x-ratelimit-reset-tokens": "2.5s"], nowEpochSeconds: 0) == .milliseconds(2500))
        #expect(RetryAfter.wait(in: ["Retry-After": "1", "x-ratelimit-reset-tokens": "30s"], nowEpochSeconds: 0) == .seconds(1))
        #expect(RetryAfter.wait(in: [:], nowEpochSeconds: 0) == nil)
    }
}
