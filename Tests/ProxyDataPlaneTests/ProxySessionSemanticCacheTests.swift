@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: the cache's semantic tier in the session — after an exact miss the lookup suspends
/// on the embeddings call; a near vector serves the stored answer without an attempt, a far one
/// goes upstream; a failed, slow or unreadable call is a miss, never an error; a client that
/// leaves cancels the call.
@Suite struct ProxySessionSemanticCacheTests {
    static let config = Configs.twoBackends(route: #", "cache": {"ttl": "10m", "semantic": {"backend": "spare", "model": "emb", "timeout": "1s"}}"#)
    static func chat(_ text: String) -> String {
        #"{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"system","content":"s"},{"role":"user","content":"\#(text)"}]}"#
    }
    static func embedding(_ values: String) -> String { #"{"object":"list","data":[{"object":"embedding","index":0,"embedding":[\#(values)]}]}"# }
    static let embeddings = "http://127.0.0.1:9/spare/v1/embeddings"
    static func results(_ tier: String, _ result: String) -> String { #"sluice_cache_results_total{route="r",tier="\#(tier)",result="\#(result)"}"# }

    /// Answers the pending embeddings call with `status` and `body`.
    static func embed(_ harness: SessionHarness, status: Int = 200, _ body: String) {
        let call = harness.upstream.last
        #expect(call.request.url == embeddings)
        call.head(status)
        call.send(body)
        call.finish()
        harness.scheduler.advance(by: .zero)
    }

    /// A request answered by the provider after a semantic miss with `vector`.
    static func proxied(_ harness: SessionHarness, _ text: String, vector: String) -> RecordingResponse {
        let (_, response) = harness.request(body: chat(text))
        embed(harness, embedding(vector))
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions", "went upstream")
        harness.upstream.last.head(200)
        harness.upstream.last.send(ProxySessionCacheTests.answer)
        harness.upstream.last.finish()
        return response
    }

    @Test func aNearRequestIsServedTheStoredAnswerAndAFarOneGoesUpstream() throws {
        let harness = try SessionHarness(config: Self.config)
        let first = Self.proxied(harness, "reset my password", vector: "1,0,0")
        #expect(first.header("x-sluice-cache") == "miss")
        let call = harness.upstream.transfers[0]
        #expect(call.requestBodyText == #"{"input":"reset my password","model":"emb"}"#)
        #expect(call.request.headers.first("content-type") == "application/json")
        let (_, near) = harness.request(body: Self.chat("how do I reset the password?"))
        #expect(harness.upstream.transfers.count == 3, "only the embeddings call")
        Self.embed(harness, Self.embedding("1,0.1,0"))
        #expect(harness.upstream.transfers.count == 3, "no attempt")
        #expect(near.head?.status == 200 && near.body == Array(ProxySessionCacheTests.answer.utf8))
        #expect(near.header("x-sluice-cache") == "semantic-hit" && near.header("x-sluice-attempts") == "0")
        let far = Self.proxied(harness, "what is the weather?", vector: "0,1,0")
        #expect(far.header("x-sluice-cache") == "miss")
        #expect(harness.metric(Self.results("semantic", "hit")) == 1 && harness.metric(Self.results("semantic", "miss")) == 2)
        #expect(harness.metric(#"sluice_cache_embedding_duration_seconds_count{route="r"}"#) == 3)
        #expect(harness.metric("sluice_cache_semantic_entries") == 2, "each stored answer indexed once")
        #expect(harness.metric(#"sluice_cache_tokens_saved_total{route="r",type="completion"}"#) == 500)
    }

    @Test func aThresholdOfOneServesOnlyTheSameVector() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(
            route: #", "cache": {"ttl": "10m", "semantic": {"backend": "spare", "model": "emb", "threshold": 1}}"#))
        _ = Self.proxied(harness, "reset my password", vector: "0.3,0.7,0.1")
        let (_, same) = harness.request(body: Self.chat("Reset my password"))
        Self.embed(harness, Self.embedding("0.6,1.4,0.2"))
        #expect(same.header("x-sluice-cache") == "semantic-hit", "the same direction, within Float rounding")
        let near = Self.proxied(harness, "reset the password", vector: "0.3,0.7,0.11")
        #expect(near.header("x-sluice-cache") == "miss")
    }

    @Test func anotherSystemPromptIsAnotherScope() throws {
        let harness = try SessionHarness(config: Self.config)
        _ = Self.proxied(harness, "reset my password", vector: "1,0,0")
        let other = Self.chat("reset my password!").replacing(#""content":"s""#, with: #""content":"t""#)
        harness.request(body: other)
        Self.embed(harness, Self.embedding("1,0,0"))
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions", "a miss: went upstream")
    }

    @Test(arguments: [(500, embedding("1,0"), "status"), (200, #"{"data":[]}"#, "invalid"), (200, embedding("0,0"), "invalid")])
    func aFailedOrUnreadableCallIsAMiss(status: Int, body: String, kind: String) throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, response) = harness.request(body: Self.chat("hi"))
        Self.embed(harness, status: status, body)
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions")
        harness.upstream.last.head(200)
        harness.upstream.last.send(ProxySessionCacheTests.answer)
        harness.upstream.last.finish()
        #expect(response.head?.status == 200 && response.header("x-sluice-cache") == "miss")
        #expect(harness.metric(#"sluice_cache_embedding_errors_total{route="r",kind="\#(kind)"}"#) == 1)
        #expect(harness.metric("sluice_cache_semantic_entries") == 0, "no vector, nothing indexed")
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="stored"}"#) == 1, "the exact tier still stores it")
    }

    @Test func aCallThatTimesOutIsAMiss() throws {
        let harness = try SessionHarness(config: Self.config)
        harness.request(body: Self.chat("hi"))
        #expect(harness.upstream.last.request.timeouts.total == .seconds(1))
        harness.upstream.last.finish(.totalTimeout)
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions")
        #expect(harness.metric(#"sluice_cache_embedding_errors_total{route="r",kind="timeout"}"#) == 1)
    }

    @Test func aClientThatLeavesCancelsTheCall() throws {
        let harness = try SessionHarness(config: Self.config)
        let (session, _) = harness.request(body: Self.chat("hi"))
        session.connectionClosed()
        #expect(harness.upstream.last.cancelled)
        harness.scheduler.advance(by: .seconds(5))
        #expect(harness.upstream.transfers.count == 1)
    }

    @Test func afterARedisMissTheLookupSuspendsAgainOnTheEmbeddingsCall() throws {
        let store = ScriptedCache()
        let harness = try SessionHarness(config: Configs.twoBackends(
            route: #", "cache": {"ttl": "10m", "semantic": {"backend": "spare", "model": "emb"}}"#, extra: ProxySessionRedisCacheTests.redis))
        harness.loop.redis.makeStores = { _ in RedisStores(counters: ScriptedCounters(), cache: store) }
        harness.request(body: Self.chat("reset my password"))
        store.answer(.success(nil))
        Self.embed(harness, Self.embedding("1,0,0"))
        #expect(store.fieldReads.count == 1, "no local vector: the lookup reads the scope's vectors in Redis")
        store.answerFieldRead()
        ProxySessionRedisCacheTests.answerUpstream(harness)
        let (_, near) = harness.request(body: Self.chat("how do I reset the password?"))
        #expect(harness.upstream.transfers.count == 2, "the lookup waits for Redis first")
        store.answer(.success(nil))
        Self.embed(harness, Self.embedding("1,0.1,0"))
        #expect(near.header("x-sluice-cache") == "semantic-hit" && harness.upstream.transfers.count == 3)
        #expect(store.fieldReads.isEmpty, "found in the sidecar's own index")
        #expect(harness.metric(Self.results("redis", "miss")) == 0, "one result per request: the semantic tier's")
    }

    @Test func aVectorAnotherSidecarStoredInRedisServesItsAnswer() throws {
        let store = ScriptedCache()
        func sidecar() throws -> SessionHarness {
            let harness = try SessionHarness(config: Configs.twoBackends(
                route: #", "cache": {"ttl": "10m", "redisTTL": "1h", "semantic": {"backend": "spare", "model": "emb", "maxEntries": 1}}"#,
                extra: ProxySessionRedisCacheTests.redis))
            harness.loop.redis.makeStores = { _ in RedisStores(counters: ScriptedCounters(), cache: store) }
            return harness
        }
        let first = try sidecar()
        first.request(body: Self.chat("reset my password"))
        store.answer(.success(nil))
        Self.embed(first, Self.embedding("1,0,0"))
        store.answerFieldRead()
        ProxySessionRedisCacheTests.answerUpstream(first)
        let hash = try #require(store.hashes.first)
        #expect(hash.key.hasPrefix("sluice:semantic:{") && hash.key.hasSuffix("}") && store.hashTTLs[hash.key] == .seconds(3600))
        #expect(hash.value.count == 1 && hash.value.keys.first == store.writes.first?.key, "the field is the answer's Redis key")
        let second = try sidecar()
        let (_, near) = second.request(body: Self.chat("how do I reset the password?"))
        store.answer(.success(nil))  // the exact key: not there
        Self.embed(second, Self.embedding("1,0.1,0"))
        store.answerFieldRead()
        #expect(store.reads.first?.key == hash.value.keys.first, "then the closest vector's answer")
        store.answerFromValues()
        #expect(near.header("x-sluice-cache") == "semantic-hit" && near.body == Array(ProxySessionCacheTests.answer.utf8))
        #expect(second.upstream.transfers.count == 1, "only the embeddings call")
        #expect(second.metric(Self.results("semantic", "hit")) == 1)
        // A far request misses, and its answer's vector joins the scope: past maxEntries the oldest goes.
        second.request(body: Self.chat("what is the weather?"))
        store.answer(.success(nil))
        Self.embed(second, Self.embedding("0,1,0"))
        store.answerFieldRead()
        ProxySessionRedisCacheTests.answerUpstream(second)
        #expect(store.hashes[hash.key]?.count == 2)
        let third = try sidecar()
        third.request(body: Self.chat("is it sunny?"))
        store.answer(.success(nil))
        Self.embed(third, Self.embedding("0,0,1"))
        store.answerFieldRead()
        #expect(store.hashes[hash.key]?.count == 1, "a read past maxEntries drops the oldest")
        #expect(third.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions", "nothing similar: upstream")
    }

    @Test func aRequestThatIsNotAChatHasNoSemanticLookup() throws {
        let harness = try SessionHarness(config: Self.config)
        harness.request(body: #"{"model":"gpt-4o-mini","temperature":0,"prompt":"hi"}"#)
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions", "straight upstream after the exact miss")
        #expect(harness.upstream.transfers.count == 1)
    }
}
