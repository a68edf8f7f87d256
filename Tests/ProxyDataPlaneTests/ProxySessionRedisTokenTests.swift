@testable import ProxyDataPlane
import ProxyCore
import ProxyIO
import Testing

/// Level 2: consumers' token quotas shared through Redis (a scripted store in place of the
/// client, ADR 0026): strict mode reserves the estimate in the same batch as the request
/// windows and pushes the settlement when the request ends; a refusal gives the grants back;
/// sync mode reserves on the view and pushes on loop 0's timer.
@Suite struct ProxySessionRedisTokenTests {
    static let chat = ProxySessionAttemptTests.chat
    static let key: HTTPHeaders = ["authorization": "Bearer sk-quota"]
    static let consumers = """
        , "consumers": [
          {"name": "quota", "keysDirectory": "consumers/quota", "estimatedOutputTokens": 10,
           "rateLimits": {"requestsPerMinute": 5}, "quotas": {"tokensPerDay": 100}}
        ]
        """

    static func harness(_ redis: String) throws -> (SessionHarness, ScriptedCounters) {
        try ProxySessionRedisLimitTests.harness(consumers: consumers, secrets: ["consumers/quota/k": "sk-quota"], redis: redis)
    }

    @Test func strictModeReservesTheEstimateWithTheRequestWindowAndPushesTheSettlementWhenTheRequestEnds() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        #expect(store.pending.count == 2, "one batch: the request window, then the day quota")
        #expect(store.pending[0].key == "sluice:{quota}:requestsPerMinute")
        let quota = store.pending[1]
        #expect(quota.key.hasPrefix("sluice:{quota}:quotas.tokensPerDay:"))
        #expect(quota.limit == 100 && quota.window == .lifetime(.seconds(2 * 86_400)))
        #expect(quota.delta > 10, "the prompt's estimate plus estimatedOutputTokens")
        store.answer(granted: 1, count: 1)
        #expect(harness.upstream.transfers.isEmpty, "admit waits for every counter")
        store.answer(granted: quota.delta, count: 40 + quota.delta)
        ProxySessionConsumerTests.succeed(harness)  // usage: 1 + 2 tokens
        #expect(response.status == 200)
        #expect(store.pending.count == 1, "the settlement is pushed at once")
        #expect(store.pending.first?.key == quota.key)
        #expect(store.pending.first?.delta == 3 - quota.delta && store.pending.first?.limit == nil)
    }

    @Test func strictModeGivesTheGrantedTokensBackWhenTheRequestWindowRefuses() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        let quota = store.pending[1]
        store.answer(granted: 0, count: 5, retryAfter: .seconds(7))
        store.answer(granted: quota.delta, count: quota.delta)
        #expect(response.status == 429)
        #expect(response.bodyText.contains(#""code":"rate_limit_exceeded""#))
        #expect(store.pending.first?.key == quota.key)
        #expect(store.pending.first?.delta == -quota.delta, "what Redis granted is given back")
    }

    @Test func strictModeRefusesWithInsufficientQuotaWhenRedisHasNothingLeft() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        store.answer(granted: 1, count: 1)
        store.answer(granted: 0, count: 100)
        #expect(response.status == 429)
        #expect(response.bodyText.contains(#""code":"insufficient_quota""#))
        #expect(harness.upstream.transfers.isEmpty)
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="quota",reason="quota"}"#) == 1)
    }

    @Test func syncModeReservesOnTheViewAndPushesWhatChangedOnTheNextTick() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        #expect(store.pending.map(\.delta) == [0, 0], "the first sync reads the request window and the quota")
        store.answer(granted: 0, count: 0)
        store.answer(granted: 0, count: 97)  // the other sidecars used 97 of 100 today
        harness.request(headers: Self.key, body: Self.chat)
        #expect(harness.upstream.transfers.count == 1, "no wait for Redis: 3 tokens remained")
        ProxySessionConsumerTests.succeed(harness)
        harness.scheduler.advance(by: .milliseconds(50))
        #expect(store.pending.map(\.delta) == [1, 3], "the admission and the settled 3 tokens")
        store.answer(granted: 1, count: 1)
        store.answer(granted: 3, count: 100)
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(refused.bodyText.contains(#""code":"insufficient_quota""#))
    }

    @Test func syncModeReadsIdleCountersOncePerIdleRefreshNotEveryInterval() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        #expect(store.pending.count == 2, "the first sync reads the request window and the quota")
        /// Answers what is pending, lets one interval pass, and returns the keys the next round sent.
        func round() -> [String] {
            while !store.pending.isEmpty { store.answer(granted: 0, count: 0) }
            harness.scheduler.advance(by: .milliseconds(50))
            return store.pending.map(\.key)
        }
        let idle = (0..<19).map { _ in round().count }
        #expect(idle.allSatisfy { $0 == 1 }, "idle: one read a round keeps the gateway fresh, not one per counter: \(idle)")
        let quota = try #require(round().first)
        #expect(quota.contains("quotas.tokensPerDay"), "a second after its last read, the idle quota is read again")
        harness.request(headers: Self.key, body: Self.chat)
        ProxySessionConsumerTests.succeed(harness)
        #expect(round().count == 2, "what changed is pushed")
        #expect(round().count == 2 && round().count == 2, "and read every interval for a while after it changed")
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        #expect(response.status == nil && harness.upstream.transfers.count == 2, "never stale while idle")
    }

    @Test func syncModeReservesEachRoutedRequestsSpendOnTheViewAndPushesTheSettledCost() throws {
        let budget = #", "consumers": [{"name": "quota", "keysDirectory": "consumers/quota", "quotas": {"costPerDay": 0.0001}}]"#
        let (harness, store) = try ProxySessionRedisLimitTests.harness(consumers: budget, secrets: ["consumers/quota/k": "sk-quota"],
                                                                       redis: #"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        store.answer(granted: 0, count: 0)
        // Each request reserves 10 input and 20 output tokens' worth: 50 µUSD of the 100.
        let responses = (0..<3).map { _ in harness.request(headers: Self.key, body: ProxySessionTokenLimitTests.chat).1 }
        #expect(harness.upstream.transfers.count == 2)
        #expect(responses[2].status == 429 && responses[2].bodyText.contains(#""code":"insufficient_quota""#))
        for transfer in harness.upstream.transfers {
            transfer.head(200, ["content-type": "application/json"])
            transfer.send(ProxySessionTokenLimitTests.answer(prompt: 4, completion: 3))
            transfer.finish()
        }
        #expect(responses[0].status == 200 && responses[1].status == 200)
        harness.scheduler.advance(by: .milliseconds(50))
        #expect(store.pending.map(\.delta) == [20], "the settled spend (2 × 10 µUSD) is pushed, not the reservations")
    }
}
