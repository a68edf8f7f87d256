@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: what a cache hit costs the consumer (`cache.chargeHits`) — nothing by default, the
/// stored answer's usage and its cost with `usage`, as if the provider had answered.
@Suite struct ProxySessionCacheChargeTests {
    static let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
    static let chat = #"{"model":"gpt-4o-mini","temperature":0,"max_tokens":20}"#
    /// 5 input and 20 output tokens: 25 of the quota, 5 × 1 + 20 × 2 = 45 µUSD at the primary's prices.
    static let answer = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":20,"total_tokens":25}}"#
    static let tokensLeft = #"sluice_consumer_limit_remaining{consumer="search",limit="quotas.tokensPerDay"}"#
    static let spendLeft = #"sluice_consumer_limit_remaining{consumer="search",limit="quotas.costPerMonth"}"#

    static func harness(cache: String) throws -> SessionHarness {
        let consumers = """
            , "consumers": [{"name": "search", "keysDirectory": "consumers/search",
                             "quotas": {"tokensPerDay": 50, "costPerMonth": 1, "currency": "USD"}}]
            """
        return try SessionHarness(config: Configs.twoBackends(retryAttempts: 1, route: #", "cache": \#(cache)"#, extra: consumers),
                                  secrets: Configs.consumerKeys)
    }

    /// The first request, answered by the provider and stored.
    static func miss(_ harness: SessionHarness) {
        let (_, response) = harness.request(headers: key, body: chat)
        harness.upstream.last.head(200, ["content-type": "application/json"])
        harness.upstream.last.send(answer)
        harness.upstream.last.finish()
        #expect(response.header("x-sluice-cache") == "miss")
    }

    @Test func hitsCostTheConsumerNothingByDefault() throws {
        let harness = try Self.harness(cache: "{}")
        Self.miss(harness)
        #expect(harness.metric(Self.tokensLeft) == 25)
        for _ in 0..<4 {
            let (_, hit) = harness.request(headers: Self.key, body: Self.chat)
            #expect(hit.status == 200 && hit.header("x-sluice-cache") == "hit")
        }
        #expect(harness.upstream.transfers.count == 1)
        #expect(harness.metric(Self.tokensLeft) == 25, "what each hit reserved at admission was given back")
        #expect(abs((harness.metric(Self.spendLeft) ?? 0) - 0.999955) < 1e-9)
        #expect(harness.metric(#"sluice_consumer_tokens_total{consumer="search",type="completion"}"#) == 20, "provider tokens only")
    }

    @Test func aSemanticHitCostsTheConsumerNothingByDefaultLikeAnExactHit() throws {
        let harness = try Self.harness(cache: #"{"ttl": "10m", "semantic": {"backend": "spare", "model": "emb", "timeout": "1s"}}"#)
        func chat(_ text: String) -> String {
            #"{"model":"gpt-4o-mini","temperature":0,"max_tokens":20,"messages":[{"role":"user","content":"\#(text)"}]}"#
        }
        func embed(_ vector: String) {
            harness.upstream.last.head(200)
            harness.upstream.last.send(#"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[\#(vector)]}]}"#)
            harness.upstream.last.finish()
            harness.scheduler.advance(by: .zero)
        }
        let (_, first) = harness.request(headers: Self.key, body: chat("reset my password"))
        embed("1,0,0")
        harness.upstream.last.head(200, ["content-type": "application/json"])
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect(first.header("x-sluice-cache") == "miss")
        #expect(harness.metric(Self.tokensLeft) == 25)
        let (_, near) = harness.request(headers: Self.key, body: chat("how do I reset the password?"))
        embed("1,0.1,0")
        #expect(near.header("x-sluice-cache") == "semantic-hit")
        #expect(harness.metric(Self.tokensLeft) == 25, "the semantic hit's reservation was given back, its stored usage not charged")
    }

    @Test func withChargeHitsUsageAHitIsChargedTheStoredUsageAndItsCostUntilTheQuotaIsSpent() throws {
        let harness = try Self.harness(cache: #"{"chargeHits": "usage"}"#)
        Self.miss(harness)
        let (_, hit) = harness.request(headers: Self.key, body: Self.chat)
        #expect(hit.status == 200 && hit.header("x-sluice-cache") == "hit")
        #expect(harness.metric(Self.tokensLeft) == 0, "25 for the answer, 25 for the hit")
        #expect(abs((harness.metric(Self.spendLeft) ?? 0) - 0.99991) < 1e-9, "the hit's cost at the backend's prices")
        #expect(harness.metric(#"sluice_consumer_tokens_total{consumer="search",type="completion"}"#) == 20,
                "consumers' token counters count provider tokens only")
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
        #expect(harness.upstream.transfers.count == 1)
        #expect(harness.metric(#"sluice_cache_results_total{route="r",tier="memory",result="hit"}"#) == 1, "refused before the lookup")
    }
}
