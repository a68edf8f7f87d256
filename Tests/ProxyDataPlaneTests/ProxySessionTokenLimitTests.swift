@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: token rate limits and quotas — the estimate reserved at admission, settled with the
/// provider's usage, the 429s and their headers.
@Suite struct ProxySessionTokenLimitTests {
    static let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
    /// 40 bytes: an input estimate of 10 tokens.
    static let chat = #"{"model":"gpt-4o-mini","max_tokens":20}"#

    /// `provider`: the backends' API (`anthropic` for a `/v1/messages` stream passed through untranslated).
    static func harness(_ fields: String, provider: String = "openai") throws -> SessionHarness {
        let consumers = """
            , "consumers": [{"name": "search", "keysDirectory": "consumers/search", \(fields)},
                            {"name": "support", "keysDirectory": "consumers/support"}]
            """
        let config = Configs.twoBackends(retryAttempts: 1, extra: consumers)
            .replacingOccurrences(of: #""provider": "openai""#, with: "\"provider\": \"\(provider)\"")
        return try SessionHarness(config: config, secrets: Configs.consumerKeys)
    }

    static func answer(prompt: Int, completion: Int) -> String {
        #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion)}}"#
    }

    static func succeed(_ harness: SessionHarness, prompt: Int, completion: Int) {
        let transfer = harness.upstream.last
        transfer.head(200, ["content-type": "application/json"])
        transfer.send(answer(prompt: prompt, completion: completion))
        transfer.finish()
    }

    @Test func theEstimateIsReservedAtAdmissionAndSettledWithTheProvidersUsage() throws {
        let harness = try Self.harness(#""rateLimits": {"tokensPerMinute": 100}"#)
        harness.scheduler.advance(by: .seconds(29))
        let (_, first) = harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 4, completion: 6)
        #expect(first.status == 200)
        #expect(first.header("x-ratelimit-limit-tokens") == "100")
        #expect(first.header("x-ratelimit-remaining-tokens") == "70", "10 estimated input + 20 max_tokens reserved")
        #expect(first.header("x-ratelimit-reset-tokens") == "30s")
        let (_, second) = harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 4, completion: 6)
        #expect(second.header("x-ratelimit-remaining-tokens") == "60", "the first was settled at its 10 real tokens")
    }

    @Test func aLargeReservationIsTrimmedNotRefusedAndTheNextRequestGets429UntilTheWindowTurns() throws {
        let harness = try Self.harness(#""rateLimits": {"tokensPerMinute": 100, "tokenCounting": "output"}"#)
        harness.scheduler.advance(by: .seconds(29))
        let (_, big) = harness.request(headers: Self.key, body: #"{"model":"gpt-4o-mini","max_completion_tokens":5000}"#)
        #expect(harness.upstream.transfers.count == 1, "admitted while tokens remain")
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"rate_limit_exceeded""#))
        #expect(refused.bodyText.contains("rate limit of 100 tokens per minute reached for consumer \\\"search\\\"; retry in 30s"))
        #expect(refused.header("retry-after") == "30")
        #expect(refused.header("x-ratelimit-remaining-tokens") == "0")
        #expect(refused.header("x-ratelimit-reset-tokens") == "30s")
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="tokens"}"#) == 1)
        Self.succeed(harness, prompt: 4, completion: 30)
        #expect(big.header("x-ratelimit-remaining-tokens") == "0")
        let (_, after) = harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 4, completion: 30)
        #expect(after.status == 200, "settled at its 30 output tokens, 70 remained")
        #expect(after.header("x-ratelimit-remaining-tokens") == "50")
        let (_, other) = harness.request(headers: ["x-api-key": "sk-support"], body: Self.chat)
        Self.succeed(harness, prompt: 4, completion: 30)
        #expect(other.status == 200 && other.header("x-ratelimit-limit-tokens") == nil, "another consumer has its own limits")
    }

    @Test func aRequestThatGetsNoAnswerGivesItsReservationBack() throws {
        let harness = try Self.harness(#""rateLimits": {"tokensPerMinute": 30}"#)
        let (_, failed) = harness.request(headers: Self.key, body: Self.chat)
        harness.upstream.last.head(400, ["content-type": "application/json"])
        harness.upstream.last.send(#"{"error":{"message":"bad"}}"#)
        harness.upstream.last.finish()
        #expect(failed.status == 400)
        let (_, next) = harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 1, completion: 1)
        #expect(next.status == 200)
        #expect(next.header("x-ratelimit-remaining-tokens") == "0", "the whole window again: 30 reserved of 30")
    }

    @Test func aSpentTokenQuotaAnswersInsufficientQuotaUntilMidnightUTC() throws {
        let harness = try Self.harness(#""quotas": {"tokensPerDay": 50}"#)
        for _ in 0..<2 {
            harness.request(headers: Self.key, body: Self.chat)
            Self.succeed(harness, prompt: 5, completion: 20)
        }
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
        #expect(refused.bodyText.contains("the token quota of 50 tokens per day is used up"))
        #expect(refused.header("retry-after") == "86400", "the manual wall clock starts at 2026-01-01T00:00:00Z")
        #expect(refused.header("x-ratelimit-limit-tokens") == nil, "a quota is not a rate window")
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="quota"}"#) == 1)
        harness.scheduler.advance(by: .seconds(86_400))
        let (_, tomorrow) = harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 5, completion: 20)
        #expect(tomorrow.status == 200)
    }

    @Test func aSpentBudgetAnswersInsufficientQuota() throws {
        // gpt-4o-mini costs 1 USD per 1M input and 2 per 1M output tokens: 4 + 2×3 = 10 µUSD an answer.
        let harness = try Self.harness(#""quotas": {"costPerMonth": 0.00002, "currency": "USD"}"#)
        for _ in 0..<2 {
            let (_, response) = harness.request(headers: Self.key, body: Self.chat)
            Self.succeed(harness, prompt: 4, completion: 3)
            #expect(response.status == 200)
        }
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
        #expect(refused.bodyText.contains("the spend quota of 2e-05 USD per month is used up"))
        #expect(refused.header("retry-after") == String(31 * 86_400))
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="budget"}"#) == 1)
    }

    @Test func aReloadThatKeepsAConsumersQuotasKeepsWhatWasUsed() throws {
        let fields = #""quotas": {"tokensPerDay": 20}"#
        let harness = try Self.harness(fields)
        harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 10, completion: 10)
        let consumers = """
            , "consumers": [{"name": "search", "keysDirectory": "consumers/search", \(fields)}]
            """
        harness.dataPlane.apply(try SessionHarness.load(Configs.twoBackends(retryAttempts: 2, extra: consumers), secrets: Configs.consumerKeys))
        harness.loop.publish(harness.dataPlane.current)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        #expect(response.status == 429)
    }

    @Test func concurrentRequestsReserveTheirEstimatedSpendSoABudgetIsNotOverrunByMoreThanOneRequest() throws {
        // Each request: 10 input + 20 output tokens reserved, at 1 and 2 µUSD a token: 50 µUSD.
        let harness = try Self.harness(#""quotas": {"costPerDay": 0.0001}"#)
        let responses = (0..<5).map { _ in harness.request(headers: Self.key, body: Self.chat).1 }
        #expect(harness.upstream.transfers.count == 2, "two reservations use the budget up; the others are refused before going upstream")
        for refused in responses[2...] {
            #expect(refused.status == 429)
            #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
            #expect(refused.bodyText.contains(#"the spend quota of 0.0001 USD per day is used up for consumer \"search\""#))
        }
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="quotas.costPerDay"}"#) == 0)
        for transfer in harness.upstream.transfers {
            transfer.head(200, ["content-type": "application/json"])
            transfer.send(Self.answer(prompt: 10, completion: 20))
            transfer.finish()
        }
        #expect(responses[0].status == 200 && responses[1].status == 200)
        #expect(harness.metric(#"sluice_consumer_cost_total{consumer="search",currency="USD"}"#) == 0.0001, "spent: exactly the budget")
    }

    @Test func aReservedSpendIsSettledWithTheRealCost() throws {
        let harness = try Self.harness(#""quotas": {"costPerDay": 0.0001}"#)
        let (_, first) = harness.request(headers: Self.key, body: Self.chat)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="quotas.costPerDay"}"#) == 0.00005)
        Self.succeed(harness, prompt: 4, completion: 3)
        #expect(first.status == 200)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="quotas.costPerDay"}"#) == 0.00009,
                "the 50 µUSD reserved are replaced by the 10 spent")
    }

    @Test func consumersTokensSpendAndWhatRemainsOfTheirLimitsAreMetrics() throws {
        let harness = try Self.harness(#""rateLimits": {"tokensPerMinute": 100}, "quotas": {"costPerDay": 0.5}"#)
        harness.request(headers: Self.key, body: Self.chat)
        Self.succeed(harness, prompt: 4, completion: 6)
        harness.request(headers: ["x-api-key": "sk-support"], body: Self.chat)
        Self.succeed(harness, prompt: 1, completion: 2)
        #expect(harness.metric(#"sluice_consumer_tokens_total{consumer="search",type="prompt"}"#) == 4)
        #expect(harness.metric(#"sluice_consumer_tokens_total{consumer="search",type="completion"}"#) == 6)
        #expect(harness.metric(#"sluice_consumer_tokens_total{consumer="support",type="completion"}"#) == 2)
        #expect(harness.metric(#"sluice_consumer_cost_total{consumer="search",currency="USD"}"#) == 0.000016)
        #expect(harness.metric(#"sluice_consumer_limit{consumer="search",limit="tokensPerMinute"}"#) == 100)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="tokensPerMinute"}"#) == 90)
        #expect(harness.metric(#"sluice_consumer_limit{consumer="search",limit="quotas.costPerDay"}"#) == 0.5)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="quotas.costPerDay"}"#) == 0.499984)
        harness.scheduler.advance(by: .seconds(60))
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="tokensPerMinute"}"#) == 100,
                "read at scrape: a new window is whole again")
    }
}

/// Level 2: the gateway's limits for requests without a consumer.
@Suite struct ProxySessionAnonymousLimitTests {
    @Test func withoutConsumersEveryRequestSharesTheAnonymousLimits() throws {
        let anonymous = #", "authentication": {"anonymous": {"rateLimits": {"requestsPerMinute": 1, "tokensPerMinute": 500}}}"#
        let harness = try SessionHarness(config: Configs.twoBackends(extra: anonymous))
        let (_, first) = harness.request(body: ProxySessionTokenLimitTests.chat)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 1, completion: 1)
        #expect(first.status == 200)
        #expect(first.header("x-ratelimit-limit-requests") == "1" && first.header("x-ratelimit-limit-tokens") == "500")
        let (_, second) = harness.request(headers: ["authorization": "Bearer anything"], body: ProxySessionTokenLimitTests.chat)
        #expect(second.status == 429)
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="anonymous",reason="requests"}"#) == 1)
    }

    @Test func withConsumersTheAnonymousLimitsApplyOnlyToRequestsWithoutAKey() throws {
        let config = Configs.twoBackends(extra: Configs.consumers + #", "authentication": {"allowAnonymous": true, "anonymous": {"quotas": {"tokensPerDay": 10}}}"#)
        let harness = try SessionHarness(config: config, secrets: Configs.consumerKeys)
        harness.request(body: ProxySessionTokenLimitTests.chat)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 5, completion: 5)
        let (_, spent) = harness.request(body: ProxySessionTokenLimitTests.chat)
        #expect(spent.status == 429 && spent.bodyText.contains(#"used up for consumer \"anonymous\""#))
        let (_, keyed) = harness.request(headers: ["x-api-key": "sk-support"], body: ProxySessionTokenLimitTests.chat)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 5, completion: 5)
        #expect(keyed.status == 200, "a consumer has its own limits")
    }
}
