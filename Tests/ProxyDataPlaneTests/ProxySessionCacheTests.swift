@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: cache lookup and cache store in the session — hits answer without an attempt,
/// only complete answers are stored, streams are replayed in either form.
@Suite struct ProxySessionCacheTests {
    static let config = Configs.twoBackends(route: #", "cache": {"ttl": "10m"}"#)
    static let chat = #"{"model":"gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"hi"}]}"#
    static let chatReordered = #"{ "messages": [ {"content": "hi", "role": "user"} ], "temperature": 0.0, "model": "gpt-4o-mini" }"#
    static let answer = #"{"id":"x","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":1000,"completion_tokens":500,"total_tokens":1500}}"#
    static let hit = #"sluice_cache_results_total{route="r",tier="memory",result="hit"}"#
    static let miss = #"sluice_cache_results_total{route="r",tier="memory",result="miss"}"#
    static let bypass = #"sluice_cache_results_total{route="r",tier="none",result="bypass"}"#

    /// Sends `body` and lets the provider answer `answer` (200 JSON).
    @discardableResult
    static func proxied(_ harness: SessionHarness, body: String = chat, headers: HTTPHeaders = [:], answer: String = answer,
                        status: Int = 200) -> RecordingResponse {
        let before = harness.upstream.transfers.count
        let (_, response) = harness.request(headers: headers, body: body)
        #expect(harness.upstream.transfers.count == before + 1, "went upstream")
        harness.upstream.last.head(status)
        harness.upstream.last.send(answer)
        harness.upstream.last.finish()
        return response
    }

    @Test func aRepeatedRequestIsAnsweredFromTheCacheWithoutAnAttempt() throws {
        let harness = try SessionHarness(config: Self.config)
        let first = Self.proxied(harness)
        #expect(first.header("x-sluice-cache") == "miss")
        harness.scheduler.advance(by: .seconds(7))
        let (_, second) = harness.request(body: Self.chatReordered)
        #expect(harness.upstream.transfers.count == 1, "no upstream attempt")
        #expect(second.head?.status == 200)
        #expect(second.body == Array(Self.answer.utf8))
        #expect(second.contentLength == Self.answer.utf8.count)
        #expect(second.finished)
        #expect(second.header("x-sluice-cache") == "hit")
        #expect(second.header("age") == "7")
        #expect(second.header("x-sluice-attempts") == "0")
        #expect(second.header("x-sluice-route") == "r")
        #expect(second.header("content-type") == "application/json")
        #expect(harness.metric(Self.hit) == 1 && harness.metric(Self.miss) == 1)
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="stored"}"#) == 1)
        #expect(harness.metric(#"sluice_cache_tokens_saved_total{route="r",type="prompt"}"#) == 1000)
        #expect(harness.metric(#"sluice_cache_tokens_saved_total{route="r",type="completion"}"#) == 500)
        #expect(harness.metric(#"sluice_cache_cost_saved_total{route="r",currency="USD"}"#) == 0.002, "1000 × 1 + 500 × 2 per million")
        #expect(harness.metric(#"sluice_tokens_total{route="r",backend="primary",model="gpt-4o-mini",type="prompt"}"#) == 1000,
                "provider tokens are counted once, for the request that spent them")
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 2)
        #expect(harness.metric("sluice_cache_memory_entries") == 1)
    }

    @Test func anEntryExpiresAfterItsTTL() throws {
        let harness = try SessionHarness(config: Self.config)
        Self.proxied(harness, headers: ["x-sluice-cache-ttl": "1m"])
        harness.scheduler.advance(by: .seconds(59))
        harness.request(body: Self.chat)
        #expect(harness.upstream.transfers.count == 1, "still fresh")
        harness.scheduler.advance(by: .seconds(1))
        Self.proxied(harness)
        #expect(harness.metric("sluice_cache_memory_expired_total") == 1)
    }

    @Test func onlyCompleteAnswersAreStored() throws {
        let harness = try SessionHarness(config: Self.config)
        let truncated = Self.answer.replacing(#""finish_reason":"stop""#, with: #""finish_reason":"length""#)
        Self.proxied(harness, answer: truncated)
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="truncated"}"#) == 1)
        let tool = Self.answer.replacing(#""content":"hello"}"#, with: #""content":null,"tool_calls":[{"id":"t","type":"function","function":{"name":"f","arguments":"{}"}}]}"#)
        Self.proxied(harness, answer: tool)
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="tool_calls"}"#) == 1)
        // A 400 is the client's error: passed on, never stored.
        Self.proxied(harness, answer: #"{"error":{"message":"bad"}}"#, status: 400)
        // A cut stream.
        harness.request(body: Self.chat.replacing("{", with: #"{"stream":true,"#, maxReplacements: 1))
        harness.upstream.last.head(200, ["content-type": "text/event-stream"])
        harness.upstream.last.send(Array(Streams.chat(events: 3).prefix(150)))
        harness.upstream.last.finish(.broken("reset"))
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="incomplete"}"#) == 1)
        #expect(harness.metric("sluice_cache_memory_entries") == 0)
        Self.proxied(harness)
        #expect(harness.metric("sluice_cache_memory_entries") == 1)
    }

    @Test func aStoredStreamIsReplayedAsTheSameStreamAndAsJSON() throws {
        let harness = try SessionHarness(config: Self.config)
        let streamed = Self.chat.replacing("{", with: #"{"stream":true,"#, maxReplacements: 1)
        let (_, first) = harness.request(body: streamed)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        var stream = Streams.chat(events: 3)
        stream.removeLast("data: [DONE]\n\n".utf8.count)
        stream += Array(#"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#.utf8)
        stream += Array("\n\ndata: [DONE]\n\n".utf8)
        for piece in Streams.pieces(stream, maxPiece: 40, seed: 7) { upstream.send(piece) }
        upstream.finish()
        #expect(harness.metric(#"sluice_cache_stores_total{route="r",result="stored"}"#) == 1)

        let (_, replay) = harness.request(body: streamed)
        #expect(harness.upstream.transfers.count == 1)
        #expect(replay.header("content-type") == "text/event-stream")
        #expect(replay.body == first.body, "the stream the first client got, byte for byte (usage chunk stripped for both)")

        let (_, json) = harness.request(body: Self.chat)
        #expect(harness.upstream.transfers.count == 1)
        #expect(json.header("content-type") == "application/json")
        let value = try JSONParser.parse(json.body)
        guard case .object(let object) = value, case .array(let choices)? = object["choices"], case .object(let choice) = choices[0],
              case .object(let message)? = choice["message"] else { Issue.record("not a completion"); return }
        #expect(message["content"] == .string("lorem ipsum dolor sit amet 0lorem ipsum dolor sit amet 1lorem ipsum dolor sit amet 2"))
        #expect(choice["finish_reason"] == .string("stop"))
        #expect(object["usage"] != nil)

        let (_, withUsage) = harness.request(body: Self.chat.replacing("{", with: #"{"stream":true,"stream_options":{"include_usage":true},"#,
                                                                       maxReplacements: 1))
        #expect(withUsage.body == stream, "asked for usage: the stream as the provider sent it")
    }

    @Test func aJSONAnswerIsServedAsAStreamWhenAsked() throws {
        let harness = try SessionHarness(config: Self.config)
        Self.proxied(harness)
        let (_, replay) = harness.request(body: Self.chat.replacing("{", with: #"{"stream":true,"#, maxReplacements: 1))
        #expect(harness.upstream.transfers.count == 1)
        #expect(replay.header("content-type") == "text/event-stream")
        let completion = try #require(CachedChatCompletion(stream: replay.body))
        #expect(completion.choices.first?.content == "hello")
        #expect(!String(decoding: replay.body, as: UTF8.self).contains("usage"), "not asked for")
    }

    @Test func controlHeadersSkipTheLookupOrTheStore() throws {
        let harness = try SessionHarness(config: Self.config)
        let noStore = Self.proxied(harness, headers: ["x-sluice-cache": "no-store"])
        #expect(noStore.header("x-sluice-cache") == "miss")
        #expect(harness.metric("sluice_cache_memory_entries") == 0)
        let noCache = Self.proxied(harness, headers: ["cache-control": "no-cache"])
        #expect(noCache.header("x-sluice-cache") == "bypass")
        #expect(harness.metric("sluice_cache_memory_entries") == 1, "no-cache still stores")
        let refreshed = Self.proxied(harness, headers: ["x-sluice-cache": "refresh"],
                                     answer: Self.answer.replacing("hello", with: "hello again"))
        #expect(refreshed.header("x-sluice-cache") == "bypass")
        let (_, hit) = harness.request(body: Self.chat)
        #expect(hit.body == Array(Self.answer.replacing("hello", with: "hello again").utf8))
        let other = Self.proxied(harness, headers: ["x-sluice-cache-namespace": "tenant-2"])
        #expect(other.header("x-sluice-cache") == "miss", "another namespace, another entry")
        let neither = Self.proxied(harness, headers: ["x-sluice-cache": "no-cache, no-store"], answer: #"{"different":true}"#)
        #expect(neither.header("x-sluice-cache") == "bypass")
        let (_, still) = harness.request(body: Self.chat)
        #expect(still.body == Array(Self.answer.replacing("hello", with: "hello again").utf8), "nothing stored")
        let (_, bad) = harness.request(headers: ["x-sluice-cache": "maybe"], body: Self.chat)
        #expect(bad.head?.status == 400)
        #expect(String(decoding: bad.body, as: UTF8.self).contains("invalid_cache_header"))
    }

    @Test func aSampledRequestBypassesTheCacheInDeterministicMode() throws {
        let harness = try SessionHarness(config: Self.config)
        let sampled = Self.chat.replacing(#""temperature":0"#, with: #""temperature":0.7"#)
        let first = Self.proxied(harness, body: sampled)
        #expect(first.header("x-sluice-cache") == "bypass")
        Self.proxied(harness, body: sampled)
        #expect(harness.metric(Self.bypass) == 2)
        #expect(harness.metric("sluice_cache_memory_entries") == 0)
    }

    @Test func eachConsumerHasItsOwnEntriesUnlessTheRouteShares() throws {
        let chat = Self.chat.replacing("gpt-4o-mini", with: "gpt-4o")
        for (scope, shared) in [("consumer", false), ("shared", true)] {
            let harness = try SessionHarness(config: Configs.twoBackends(route: #", "cache": {"scope": "\#(scope)"}"#, extra: Configs.consumers),
                                             secrets: Configs.consumerKeys)
            Self.proxied(harness, body: chat, headers: ["authorization": "Bearer sk-search-1"])
            let (_, sameConsumer) = harness.request(headers: ["authorization": "Bearer sk-search-2"], body: chat)
            #expect(sameConsumer.header("x-sluice-cache") == "hit", "another key of the same consumer")
            if shared {
                let (_, other) = harness.request(headers: ["authorization": "Bearer sk-support"], body: chat)
                #expect(other.header("x-sluice-cache") == "hit", "shared: every caller")
            } else {
                let other = Self.proxied(harness, body: chat, headers: ["authorization": "Bearer sk-support"])
                #expect(other.header("x-sluice-cache") == "miss", "another consumer, another entry")
            }
        }
    }

    @Test func aRouteWithoutACacheSaysBypassAndCountsNothing() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let response = Self.proxied(harness)
        #expect(response.header("x-sluice-cache") == "bypass")
        Self.proxied(harness)
        #expect(harness.metric(Self.bypass) == nil)
    }
}
