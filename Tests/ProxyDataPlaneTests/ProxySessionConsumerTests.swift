@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: authenticate and admit — keys, model rights, request limits and their headers.
@Suite struct ProxySessionConsumerTests {
    static let chat = ProxySessionAttemptTests.chat
    static let answer = ProxySessionAttemptTests.answer

    static func harness(allowAnonymous: Bool = false) throws -> SessionHarness {
        let authentication = allowAnonymous ? #", "authentication": {"allowAnonymous": true}"# : ""
        return try SessionHarness(config: Configs.twoBackends(extra: Configs.consumers + authentication), secrets: Configs.consumerKeys)
    }

    /// Answers the last upstream transfer with a 200.
    static func succeed(_ harness: SessionHarness) {
        let transfer = harness.upstream.last
        transfer.head(200)
        transfer.send(answer)
        transfer.finish()
    }

    @Test func aRequestWithoutAKeyOrWithAnUnknownKeyGets401AndNeverReachesTheProvider() throws {
        let harness = try Self.harness()
        let (_, missing) = harness.request(body: Self.chat)
        let (_, unknown) = harness.request(headers: ["authorization": "Bearer sk-nope"], body: Self.chat)
        for response in [missing, unknown] {
            #expect(response.status == 401)
            #expect(response.bodyText.contains(#""code":"invalid_api_key""#))
        }
        #expect(harness.upstream.transfers.isEmpty)
        #expect(harness.metric(#"sluice_requests_total{route="none",backend="none",model="other",code="401",consumer="anonymous"}"#) == 2,
                "authenticate runs before inspect: an unauthenticated request names no model label")
    }

    @Test func eachKeyHeaderNamesTheConsumerAndTheKeyIsNeverForwarded() throws {
        let harness = try Self.harness()
        let headers: [HTTPHeaders] = [["authorization": "Bearer sk-search-1"], ["x-api-key": "sk-support"], ["api-key": "sk-support"]]
        for header in headers {
            let (_, response) = harness.request(headers: header, body: Self.chat)
            let sent = harness.upstream.last
            #expect(sent.header("authorization") == nil && sent.header("x-api-key") == nil && sent.header("api-key") == nil)
            Self.succeed(harness)
            #expect(response.status == 200)
        }
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="search"}"#) == 1)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="support"}"#) == 2)
    }

    @Test func aModelOutsideTheConsumersRightsGets403() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(headers: ["authorization": "Bearer sk-search-2"],
                                            body: #"{"model":"deepseek-chat","messages":[]}"#)
        #expect(response.status == 403)
        #expect(response.bodyText.contains(#""code":"model_not_allowed""#))
        #expect(response.bodyText.contains(#"consumer \"search\" may not use model \"deepseek-chat\""#))
        #expect(harness.upstream.transfers.isEmpty)
    }

    @Test func theRequestLimitAnswers429WithRetryAfterAndEveryAnswerCarriesTheLimitHeaders() throws {
        let harness = try Self.harness()
        harness.scheduler.advance(by: .seconds(29))  // the manual clock starts at 1 s: now 30 s, half a minute window
        let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
        let (_, first) = harness.request(headers: key, body: Self.chat)
        Self.succeed(harness)
        #expect(first.status == 200)
        #expect(first.header("x-ratelimit-limit-requests") == "2")
        #expect(first.header("x-ratelimit-remaining-requests") == "1")
        #expect(first.header("x-ratelimit-reset-requests") == "30s")
        harness.request(headers: key, body: Self.chat)
        Self.succeed(harness)
        harness.scheduler.advance(by: .seconds(10))
        let (_, refused) = harness.request(headers: key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"rate_limit_exceeded""#))
        #expect(refused.header("retry-after") == "20")
        #expect(refused.header("x-ratelimit-limit-requests") == "2")
        #expect(refused.header("x-ratelimit-remaining-requests") == "0")
        #expect(refused.header("x-ratelimit-reset-requests") == "20s")
        #expect(harness.upstream.transfers.count == 2)
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="requests"}"#) == 1)
        harness.scheduler.advance(by: .seconds(20))
        let (_, next) = harness.request(headers: key, body: Self.chat)
        Self.succeed(harness)
        #expect(next.status == 200, "a new window admits again")
    }

    @Test func twoLoopsOfOneDataPlaneShareAConsumersLimit() throws {
        let harness = try Self.harness()
        let other = harness.secondLoop()
        let key: HTTPHeaders = ["x-api-key": "sk-search-2"]
        harness.request(headers: key, body: Self.chat)
        Self.succeed(harness)
        harness.request(headers: key, body: Self.chat, on: other)
        Self.succeed(harness)
        let (_, third) = harness.request(headers: key, body: Self.chat, on: other)
        let (_, fourth) = harness.request(headers: key, body: Self.chat)
        #expect(third.status == 429 && fourth.status == 429)
        #expect(harness.upstream.transfers.count == 2)
    }

    @Test func aReloadThatKeepsAConsumersLimitsKeepsItsCounts() throws {
        let harness = try Self.harness()
        let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
        for _ in 0..<2 {
            harness.request(headers: key, body: Self.chat)
            Self.succeed(harness)
        }
        let reloaded = try SessionHarness.load(Configs.twoBackends(retryAttempts: 1, extra: Configs.consumers), secrets: Configs.consumerKeys)
        harness.dataPlane.apply(reloaded)
        harness.loop.publish(harness.dataPlane.current)
        let (_, response) = harness.request(headers: key, body: Self.chat)
        #expect(response.status == 429)
    }

    @Test func withAnonymousAllowedARequestWithoutAKeyPassesWithoutLimits() throws {
        let harness = try Self.harness(allowAnonymous: true)
        let (_, response) = harness.request(body: #"{"model":"deepseek-chat","messages":[]}"#)
        Self.succeed(harness)
        #expect(response.status == 200)
        #expect(response.header("x-ratelimit-limit-requests") == nil)
        let (_, wrong) = harness.request(headers: ["authorization": "Bearer sk-wrong"], body: Self.chat)
        #expect(wrong.status == 401, "a presented key must be valid even so")
    }
}
