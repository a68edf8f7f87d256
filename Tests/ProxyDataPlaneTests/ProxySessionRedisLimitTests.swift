@testable import ProxyDataPlane
import ProxyCore
import ProxyIO
import Testing

/// Level 2: consumers' request limits shared through Redis (a scripted store in place of the
/// client): strict mode suspends admit until the counter answers, a timeout or a failure goes
/// to `failMode`, the client may leave while the request waits; sync mode admits at once and
/// reconciles on loop 0's timer.
@Suite struct ProxySessionRedisLimitTests {
    static let chat = ProxySessionAttemptTests.chat
    static let key: HTTPHeaders = ["authorization": "Bearer sk-search-1"]
    static let counterKey = "sluice:{search}:requestsPerMinute"

    static func harness(_ redis: String) throws -> (SessionHarness, ScriptedCounters) {
        try harness(consumers: Configs.consumers, secrets: Configs.consumerKeys, redis: redis)
    }

    /// A harness whose config has `consumers` and `redis`, with every loop's Redis stores scripted.
    static func harness(consumers: String, secrets: [String: String], redis: String) throws -> (SessionHarness, ScriptedCounters) {
        let harness = try SessionHarness(config: Configs.twoBackends(extra: consumers + #", "redis": "# + redis), secrets: secrets)
        let store = ScriptedCounters()
        harness.loop.redis.makeStores = { _ in RedisStores(counters: store, cache: ScriptedCache()) }
        return (harness, store)
    }

    @Test func strictModeHoldsTheRequestUntilRedisAdmitsItThenSendsIt() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        #expect(harness.upstream.transfers.isEmpty, "admit waits for Redis")
        #expect(response.status == nil)
        #expect(store.pending.count == 1)
        #expect(store.pending.first?.key == Self.counterKey)
        #expect(store.pending.first?.delta == 1 && store.pending.first?.limit == 2)
        #expect(store.pending.first?.window == .sliding(.seconds(60)))
        store.answer(granted: 1, count: 1, resetAfter: .seconds(42))
        #expect(harness.upstream.transfers.count == 1)
        ProxySessionConsumerTests.succeed(harness)
        #expect(response.status == 200)
        #expect(response.header("x-ratelimit-limit-requests") == "2")
        #expect(response.header("x-ratelimit-remaining-requests") == "1")
        #expect(response.header("x-ratelimit-reset-requests") == "42s")
    }

    @Test func strictModeRefusalAnswers429WithRedisRetryTime() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        store.answer(granted: 0, count: 2, resetAfter: .seconds(50), retryAfter: .seconds(12))
        #expect(response.status == 429)
        #expect(response.bodyText.contains(#""code":"rate_limit_exceeded""#))
        #expect(response.header("retry-after") == "12")
        #expect(response.header("x-ratelimit-remaining-requests") == "0")
        #expect(harness.upstream.transfers.isEmpty)
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="requests"}"#) == 1)
    }

    @Test func aConsumerWithoutLimitsAndAnonymousRequestsNeverWaitForRedis() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        harness.request(headers: ["authorization": "Bearer sk-support"], body: Self.chat)
        #expect(harness.upstream.transfers.count == 1)
        #expect(store.pending.isEmpty)
    }

    @Test func theClientLeavingWhileAdmitWaitsEndsWith499AndTheLateAnswerIsIgnored() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let (session, response) = harness.request(headers: Self.key, body: Self.chat)
        session.connectionClosed()
        store.answer(granted: 1, count: 1)
        #expect(harness.upstream.transfers.isEmpty)
        #expect(response.status == nil)
        #expect(harness.metric(#"sluice_requests_total{route="none",backend="none",model="gpt-4o-mini",code="499",consumer="search"}"#) == 1)
    }

    @Test func aRedisTimeoutFailsOpenToTheInProcessLimitAndNeverHangs() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "timeout": "100ms"}"#)
        var responses: [RecordingResponse] = []
        for _ in 0..<3 { responses.append(harness.request(headers: Self.key, body: Self.chat).1) }
        harness.scheduler.advance(by: .milliseconds(100))
        // Admitted by the in-process limiter (2 a minute), as failMode open says.
        #expect(harness.upstream.transfers.count == 2)
        #expect(responses[2].status == 429)
        #expect(harness.metric(#"sluice_redis_failures_total{reason="timeout"}"#) == 3)
        store.answer(granted: 1, count: 1)  // too late: ignored
        #expect(harness.upstream.transfers.count == 2)
    }

    @Test func failClosedAnswers503LimitsUnavailableWhenRedisFails() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "failMode": "closed"}"#)
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        store.answer(.failure(.unavailable("connection refused")))
        #expect(response.status == 503)
        #expect(response.bodyText.contains(#""code":"limits_unavailable""#))
        #expect(response.header("retry-after") == "1")
        #expect(harness.upstream.transfers.isEmpty)
        #expect(harness.metric(#"sluice_redis_failures_total{reason="unavailable"}"#) == 1)
    }

    @Test func syncModeAdmitsAtOnceAndRefusesOnceTheSyncedTotalReachesTheLimit() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        #expect(store.pending.count == 1, "the first sync runs at once")
        #expect(store.pending.first?.delta == 0 && store.pending.first?.limit == nil)
        store.answer(granted: 0, count: 0)
        harness.request(headers: Self.key, body: Self.chat)
        #expect(harness.upstream.transfers.count == 1, "no wait for Redis")
        harness.scheduler.advance(by: .milliseconds(50))
        #expect(store.pending.first?.delta == 1, "the local admission is pushed")
        store.answer(granted: 1, count: 2)  // another sidecar admitted one too
        let (_, refused) = harness.request(headers: Self.key, body: Self.chat)
        #expect(refused.status == 429)
        #expect(harness.upstream.transfers.count == 1)
    }

    @Test func syncModeWithoutASuccessfulSyncForLongGoesToFailMode() throws {
        let (harness, store) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"], "mode": "sync", "syncInterval": "50ms", "failMode": "closed", "timeout": "100ms"}"#)
        let driver = RedisSyncDriver(context: harness.loop)
        defer { driver.stop() }
        store.answer(.failure(.unavailable("connection refused")))
        harness.scheduler.advance(by: .milliseconds(160))  // stale after max(3 × 50 ms, 50 ms + 100 ms)
        while !store.pending.isEmpty { store.answer(.failure(.unavailable("connection refused"))) }
        let (_, response) = harness.request(headers: Self.key, body: Self.chat)
        #expect(response.status == 503)
        #expect(response.bodyText.contains(#""code":"limits_unavailable""#))
    }

    @Test func aReloadThatChangesRedisMakesANewStoreAndOneThatDropsItGoesBackInProcess() throws {
        let (harness, first) = try Self.harness(#"{"addresses": ["127.0.0.1:6379"]}"#)
        let second = ScriptedCounters()
        harness.request(headers: Self.key, body: Self.chat)
        first.answer(granted: 1, count: 1)
        harness.loop.redis.makeStores = { _ in RedisStores(counters: second, cache: ScriptedCache()) }
        func reload(_ extra: String) throws {
            harness.dataPlane.apply(try SessionHarness.load(Configs.twoBackends(extra: Configs.consumers + extra), secrets: Configs.consumerKeys))
            harness.loop.publish(harness.dataPlane.current)
        }
        try reload(#", "redis": {"addresses": ["127.0.0.1:6379"], "keyPrefix": "other"}"#)
        harness.request(headers: Self.key, body: Self.chat)
        #expect(first.closed && first.pending.isEmpty)
        #expect(second.pending.first?.key == "other:{search}:requestsPerMinute")
        second.answer(granted: 1, count: 1)
        try reload("")
        #expect(second.closed)
        harness.request(headers: Self.key, body: Self.chat)
        #expect(second.pending.isEmpty)
        #expect(harness.upstream.transfers.count == 3, "admitted in process at once")
    }

    @Test func withoutRedisTheInProcessLimiterAnswersAndNoStoreIsMade() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(extra: Configs.consumers), secrets: Configs.consumerKeys)
        var made = 0
        harness.loop.redis.makeStores = { _ in made += 1; return RedisStores(counters: ScriptedCounters(), cache: ScriptedCache()) }
        harness.request(headers: Self.key, body: Self.chat)
        #expect(harness.upstream.transfers.count == 1)
        #expect(made == 0)
    }
}
