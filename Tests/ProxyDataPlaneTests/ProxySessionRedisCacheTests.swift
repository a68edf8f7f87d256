@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: the cache's Redis tier in the session (a scripted store in place of the client):
/// a memory miss suspends the lookup until Redis answers; a Redis hit answers without an
/// attempt and fills the memory tier; Redis failures and timeouts are misses; answers are
/// written to both tiers, each with its TTL.
@Suite struct ProxySessionRedisCacheTests {
    static let redis = #", "redis": {"addresses": ["127.0.0.1:6379"], "timeout": "100ms"}"#
    static let chat = ProxySessionCacheTests.chat
    static let answer = ProxySessionCacheTests.answer
    static let redisHit = #"sluice_cache_results_total{route="r",tier="redis",result="hit"}"#
    static let redisMiss = #"sluice_cache_results_total{route="r",tier="redis",result="miss"}"#

    static func harness(cache: String = #"{"ttl": "10m"}"#, store: ScriptedCache = ScriptedCache()) throws -> SessionHarness {
        let harness = try SessionHarness(config: Configs.twoBackends(route: #", "cache": "# + cache, extra: redis))
        harness.loop.redis.makeStores = { _ in RedisStores(counters: ScriptedCounters(), cache: store) }
        return harness
    }

    /// Lets the provider answer the last transfer with `answer`.
    static func answerUpstream(_ harness: SessionHarness) {
        harness.upstream.last.head(200)
        harness.upstream.last.send(answer)
        harness.upstream.last.finish()
    }

    @Test func aMissInBothTiersGoesUpstreamAndTheAnswerIsWrittenToBoth() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        let (_, response) = harness.request(body: Self.chat)
        #expect(harness.upstream.transfers.isEmpty, "the lookup waits for Redis")
        #expect(store.reads.count == 1)
        let key = try #require(store.reads.first?.key)
        #expect(key.hasPrefix("sluice:cache:") && key.count == "sluice:cache:".count + 64)
        store.answer(.success(nil))
        #expect(harness.upstream.transfers.count == 1)
        Self.answerUpstream(harness)
        #expect(response.header("x-sluice-cache") == "miss")
        #expect(store.writes.count == 1 && store.writes.first?.key == key && store.writes.first?.ttl == .seconds(600))
        let record = try #require(store.values[key].flatMap(CachedAnswerRecord.decode))
        #expect(record.body == Array(Self.answer.utf8) && record.form == .json && record.usage.prompt == 1000)
        #expect(record.expiresAtMilliseconds - record.storedAtMilliseconds == 600_000)
        #expect(harness.metric(Self.redisMiss) == 1)
        #expect(harness.metric(ProxySessionCacheTests.miss) == 0, "one result per request: the last tier asked")
        #expect(harness.metric(#"sluice_cache_redis_writes_total{route="r",result="stored"}"#) == 1)
        // The memory tier has it now: no Redis read.
        harness.request(body: Self.chat)
        #expect(store.reads.isEmpty && harness.upstream.transfers.count == 1)
        #expect(harness.metric(ProxySessionCacheTests.hit) == 1)
    }

    @Test func anotherSidecarAnswersFromRedisWithoutAnAttemptAndKeepsTheAnswerInMemory() throws {
        let store = ScriptedCache()
        let first = try Self.harness(store: store)
        first.request(body: Self.chat)
        store.answer(.success(nil))
        Self.answerUpstream(first)
        let second = try Self.harness(store: store)
        second.scheduler.clock.advance(.seconds(30))
        let (_, response) = second.request(body: Self.chat)
        #expect(response.status == nil)
        store.answerFromValues()
        #expect(second.upstream.transfers.isEmpty, "no upstream attempt")
        #expect(response.status == 200)
        #expect(response.body == Array(Self.answer.utf8))
        #expect(response.header("x-sluice-cache") == "hit")
        #expect(response.header("x-sluice-attempts") == "0")
        #expect(second.metric(Self.redisHit) == 1)
        #expect(second.metric(#"sluice_cache_tokens_saved_total{route="r",type="prompt"}"#) == 1000)
        #expect(second.metric("sluice_cache_memory_entries") == 1, "the hit fills the memory tier")
        let (_, again) = second.request(body: Self.chat)
        #expect(store.reads.isEmpty, "answered from memory")
        #expect(again.header("x-sluice-cache") == "hit")
    }

    @Test func aRedisFailureOrTimeoutIsAMissAndNeverFailsTheRequest() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        let (_, failed) = harness.request(body: Self.chat)
        store.answer(.failure(.connectionLost("reset by peer")))
        #expect(harness.upstream.transfers.count == 1)
        Self.answerUpstream(harness)
        #expect(failed.status == 200 && failed.header("x-sluice-cache") == "miss")
        #expect(harness.metric(#"sluice_redis_failures_total{reason="connection_lost"}"#) == 1)
        let (_, slow) = harness.request(body: Self.chat.replacing("hi", with: "hello"))
        harness.scheduler.advance(by: .milliseconds(99))
        #expect(harness.upstream.transfers.count == 1, "still waiting for Redis")
        harness.scheduler.advance(by: .milliseconds(1))
        #expect(harness.upstream.transfers.count == 2, "the timeout is a miss")
        Self.answerUpstream(harness)
        #expect(slow.status == 200 && slow.header("x-sluice-cache") == "miss")
        store.answer(.success(nil))  // the late answer is ignored
        #expect(harness.upstream.transfers.count == 2)
        #expect(harness.metric(#"sluice_redis_failures_total{reason="timeout"}"#) == 1)
        #expect(harness.metric(Self.redisMiss) == 2)
    }

    @Test func aValueThatIsNotARecordIsAMiss() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        harness.request(body: Self.chat)
        store.answer(.success(Array("hello".utf8)))
        #expect(harness.upstream.transfers.count == 1)
        #expect(harness.metric(Self.redisMiss) == 1)
    }

    @Test func eachTierKeepsItsOwnTTL() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(cache: #"{"ttl": "10m", "memoryTTL": "1m", "redisTTL": "2h"}"#, store: store)
        harness.request(body: Self.chat)
        store.answer(.success(nil))
        Self.answerUpstream(harness)
        #expect(store.writes.first?.ttl == .seconds(7200))
        harness.scheduler.advance(by: .seconds(61))
        let (_, response) = harness.request(body: Self.chat)
        #expect(store.reads.count == 1, "expired from memory: Redis is asked")
        store.answerFromValues()
        #expect(response.header("x-sluice-cache") == "hit")
        #expect(harness.metric(Self.redisHit) == 1)
    }

    @Test func theRequestTTLShortensBothTiers() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        harness.request(headers: ["x-sluice-cache-ttl": "30s"], body: Self.chat)
        store.answer(.success(nil))
        Self.answerUpstream(harness)
        #expect(store.writes.first?.ttl == .seconds(30))
    }

    @Test func aRouteWithRedisOffNeverAsksRedis() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(cache: #"{"redis": false}"#, store: store)
        ProxySessionCacheTests.proxied(harness)
        #expect(store.reads.isEmpty && store.writes.isEmpty)
    }

    @Test func refreshDropsTheRedisEntryAndNoStoreWritesNothing() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        ProxySessionCacheTests.proxied(harness, headers: ["x-sluice-cache": "refresh"])
        #expect(store.deletes.count == 1 && store.reads.isEmpty)
        #expect(store.writes.count == 1 && store.deletes.first == store.writes.first?.key)
        let other = Self.chat.replacing("hi", with: "bye")
        harness.request(headers: ["x-sluice-cache": "no-store"], body: other)
        store.answer(.success(nil))
        Self.answerUpstream(harness)
        #expect(store.writes.count == 1)
    }

    @Test func aFailedWriteIsCountedAndTheNextRequestMisses() throws {
        let store = ScriptedCache()
        store.writeFailure = .timeout
        let harness = try Self.harness(store: store)
        harness.request(body: Self.chat)
        store.answer(.success(nil))
        Self.answerUpstream(harness)
        #expect(harness.metric(#"sluice_cache_redis_writes_total{route="r",result="failed"}"#) == 1)
        #expect(store.values.isEmpty)
    }

    @Test func theClientLeavingWhileRedisIsReadEndsTheRequestAndTheLateAnswerIsIgnored() throws {
        let store = ScriptedCache()
        let harness = try Self.harness(store: store)
        let (session, _) = harness.request(body: Self.chat)
        session.connectionClosed()
        store.answer(.success(nil))
        #expect(harness.upstream.transfers.isEmpty)
    }
}
