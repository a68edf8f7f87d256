@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a consumer's per-model overrides (`models[]`, ADR 0030) — extra caps counted on
/// meters of their own, on top of the consumer's, in process and through Redis.
@Suite struct ProxySessionModelOverrideTests {
    static let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
    /// 40 bytes each: an input estimate of 10 tokens, 20 reserved for output.
    static let big = #"{"model":"gpt-4o",     "max_tokens":20}"#
    static let mini = #"{"model":"gpt-4o-mini","max_tokens":20}"#
    static let overrides = #""models": [{"match": "gpt-4o", "rateLimits": {"requestsPerMinute": 2}, "quotas": {"tokensPerDay": 60}}]"#

    static func consumers(_ fields: String) -> String {
        """
        , "consumers": [{"name": "search", "keysDirectory": "consumers/search", "allowedModels": ["gpt-4o*"], \(fields)},
                        {"name": "support", "keysDirectory": "consumers/support"}]
        """
    }

    static func harness(_ fields: String) throws -> SessionHarness {
        try SessionHarness(config: Configs.twoBackends(retryAttempts: 1, extra: consumers(fields)), secrets: Configs.consumerKeys)
    }

    static let ownLimits = #""rateLimits": {"requestsPerMinute": 10}, "quotas": {"tokensPerDay": 1000}, "#

    @Test func anOverridesRequestLimitRefusesItsModelWhileTheConsumersOtherModelsPass() throws {
        let harness = try Self.harness(Self.ownLimits + Self.overrides)
        for _ in 0..<2 {
            let (_, response) = harness.request(headers: Self.key, body: Self.big)
            ProxySessionTokenLimitTests.succeed(harness, prompt: 5, completion: 5)
            #expect(response.status == 200)
        }
        let (_, refused) = harness.request(headers: Self.key, body: Self.big)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#"rate limit of 2 requests reached for consumer \"search\" on models \"gpt-4o\""#))
        #expect(refused.header("x-ratelimit-limit-requests") == "2", "the tightest window: the override's")
        let (_, other) = harness.request(headers: Self.key, body: Self.mini)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 5, completion: 5)
        #expect(other.status == 200, "another model of the same consumer still passes")
        #expect(other.header("x-ratelimit-remaining-requests") == "6", "the consumer's window counted all four requests")
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="requests"}"#) == 1)
    }

    @Test func anOverridesQuotaIsChargedOnTopOfTheConsumersAndReadAsItsOwnGauge() throws {
        let harness = try Self.harness(Self.ownLimits + Self.overrides)
        harness.request(headers: Self.key, body: Self.big)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 10, completion: 50)
        let (_, refused) = harness.request(headers: Self.key, body: Self.big)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
        #expect(refused.bodyText.contains(#"the token quota of 60 tokens per day is used up for consumer \"search\" on models \"gpt-4o\""#))
        let (_, other) = harness.request(headers: Self.key, body: Self.mini)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 10, completion: 20)
        #expect(other.status == 200)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="models[gpt-4o].quotas.tokensPerDay"}"#) == 0)
        #expect(harness.metric(#"sluice_consumer_limit{consumer="search",limit="models[gpt-4o].quotas.tokensPerDay"}"#) == 60)
        #expect(harness.metric(#"sluice_consumer_limit_remaining{consumer="search",limit="quotas.tokensPerDay"}"#) == 910,
                "the consumer's quota counted both models' usage (60 + 30)")
        let document = DataPlane.usageDocument(harness.dataPlane.current.consumers.consumers[0],
                                               at: MeterInstant(monotonic: harness.scheduler.now(), wallNanoseconds: harness.scheduler.wallNanoseconds()), requests: nil)
        #expect(String(decoding: JSONWriter.write(document), as: UTF8.self).contains(#"{"limit":"models[gpt-4o].quotas.tokensPerDay","max":60,"used":60,"remaining":0"#))
    }

    @Test func anOverrideWithOnlyTokenLimitsReservesForItsModelAlone() throws {
        let harness = try Self.harness(#""models": [{"match": "gpt-4o", "rateLimits": {"tokensPerMinute": 40}}]"#)
        let (_, first) = harness.request(headers: Self.key, body: Self.big)
        ProxySessionTokenLimitTests.succeed(harness, prompt: 10, completion: 30)
        #expect(first.header("x-ratelimit-limit-tokens") == "40")
        #expect(first.header("x-ratelimit-remaining-tokens") == "10", "30 reserved")
        let (_, refused) = harness.request(headers: Self.key, body: Self.big)
        #expect(refused.status == 429 && refused.bodyText.contains(#""code":"rate_limit_exceeded""#))
        let (_, other) = harness.request(headers: Self.key, body: Self.mini)
        #expect(other.status == nil && harness.upstream.transfers.count == 2, "no limit for gpt-4o-mini: sent upstream")
        #expect(other.header("x-ratelimit-limit-tokens") == nil)
    }

    @Test func aReloadThatKeepsAnOverrideKeepsItsCounts() throws {
        let harness = try Self.harness(Self.overrides)
        for _ in 0..<2 {
            harness.request(headers: Self.key, body: Self.big)
            ProxySessionTokenLimitTests.succeed(harness, prompt: 1, completion: 1)
        }
        let changed = Configs.twoBackends(retryAttempts: 2, extra: Self.consumers(Self.overrides))
        harness.dataPlane.apply(try SessionHarness.load(changed, secrets: Configs.consumerKeys))
        harness.loop.publish(harness.dataPlane.current)
        let (_, response) = harness.request(headers: Self.key, body: Self.big)
        #expect(response.status == 429)
    }

    static func redisHarness(_ redis: String) throws -> (SessionHarness, ScriptedCounters) {
        try ProxySessionRedisLimitTests.harness(consumers: consumers(Self.ownLimits + Self.overrides), secrets: Configs.consumerKeys,
                                                redis: redis)
    }

    @Test func strictModeCountsTheOverrideInTheConsumersBatchAndHashTag() throws {
        let (harness, store) = try Self.redisHarness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.big)
        let keys = store.pending.map(\.key)
        #expect(keys.count == 4)
        #expect(keys[0] == "sluice:{search}:requestsPerMinute" && keys[1] == "sluice:{search}:models[gpt-4o].requestsPerMinute")
        #expect(keys[2].hasPrefix("sluice:{search}:quotas.tokensPerDay:"))
        #expect(keys[3].hasPrefix("sluice:{search}:models[gpt-4o].quotas.tokensPerDay:"))
        #expect(store.pending[1].limit == 2 && store.pending[3].limit == 60 && store.pending[3].delta == 30)
        store.answer(granted: 1, count: 1)
        store.answer(granted: 0, count: 2, retryAfter: .seconds(7))
        store.answer(granted: 30, count: 30)
        store.answer(granted: 30, count: 30)
        #expect(response.status == 429)
        #expect(response.bodyText.contains(#"on models \"gpt-4o\""#))
        #expect(response.header("retry-after") == "7")
        #expect(store.pending.map(\.key) == [keys[2], keys[3]] && store.pending.map(\.delta) == [-30, -30],
                "what Redis granted to both token meters is given back")
    }

    @Test func strictModeLeavesTheOverrideOutForAnotherModel() throws {
        let (harness, store) = try Self.redisHarness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        harness.request(headers: Self.key, body: Self.mini)
        #expect(store.pending.count == 2)
        #expect(!store.pending.contains { $0.key.contains("models[") })
    }

    @Test func syncModeAdmitsTheOverrideOnItsViewAndPushesItsCounters() throws {
        let (harness, store) = try Self.redisHarness(#"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        let keys = store.pending.map(\.key)
        #expect(keys.count == 4, "both request windows, both quotas")
        #expect(keys.contains("sluice:{search}:models[gpt-4o].requestsPerMinute"))
        for operation in store.pending {
            store.answer(granted: 0, count: operation.key.hasSuffix("models[gpt-4o].requestsPerMinute") ? 2 : 0)
        }
        let (_, refused) = harness.request(headers: Self.key, body: Self.big)
        #expect(refused.status == 429, "the other sidecars used the override's window")
        let (_, other) = harness.request(headers: Self.key, body: Self.mini)
        #expect(other.status == nil && harness.upstream.transfers.count == 1, "gpt-4o-mini is admitted")
    }
}
