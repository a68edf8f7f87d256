@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a translated attempt's answer is cached in the client's API — what the client got —
/// and replayed in the form the next request asks for, in both directions.
@Suite struct ProxySessionCacheTranslationTests {
    typealias Translation = ProxySessionTranslationTests
    static let config = Translation.config()
        .replacingOccurrences(of: #""retry": {"attempts": 1},"#, with: #""cache": {}, "retry": {"attempts": 1},"#)
    /// An OpenAI chat request for the Anthropic backend (route `to-claude`).
    static let chat = #"{"model":"claude-haiku-4-5","temperature":0,"max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}"#
    /// An Anthropic Messages request for the OpenAI-style backend (route `r`).
    static let messages = #"{"model":"gpt-4o-mini","temperature":0,"max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}"#
    static let anthropicHeaders: HTTPHeaders = ["anthropic-version": "2023-06-01"]

    static func streaming(_ body: String, includeUsage: Bool = false) -> String {
        body.replacingFirst("{", with: includeUsage ? #"{"stream":true,"stream_options":{"include_usage":true},"# : #"{"stream":true,"#)
    }

    @Test func anAnthropicStreamTranslatedForAnOpenAIClientIsStoredAndReplayedInEitherForm() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, first) = harness.request(body: Self.streaming(Self.chat))
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        for piece in Streams.pieces(Array(Translation.anthropicStream.utf8), maxPiece: 37, seed: 3) { upstream.send(piece) }
        upstream.finish()
        #expect(first.header("x-sluice-cache") == "miss")
        #expect(harness.metric(#"sluice_cache_stores_total{route="to-claude",result="stored"}"#) == 1)

        let (_, replay) = harness.request(body: Self.streaming(Self.chat))
        #expect(harness.upstream.transfers.count == 1, "no upstream attempt")
        #expect(replay.header("x-sluice-cache") == "hit")
        #expect(replay.body == first.body, "the stream the first client got, byte for byte")

        let (_, withUsage) = harness.request(body: Self.streaming(Self.chat, includeUsage: true))
        #expect(withUsage.bodyText.contains(#""choices":[],"usage":{"prompt_tokens":30,"completion_tokens":4"#),
                "the usage chunk, asked for, is in the translation that was stored")

        let (_, json) = harness.request(body: Self.chat)
        #expect(harness.upstream.transfers.count == 1)
        #expect(json.header("content-type") == "application/json")
        guard case .object(let completion) = try JSONParser.parse(json.body), case .array(let choices)? = completion["choices"],
              case .object(let choice) = choices[0], case .object(let message)? = choice["message"],
              case .object(let usage)? = completion["usage"] else { Issue.record("not a completion: \(json.bodyText)"); return }
        #expect(completion["object"] == .string("chat.completion"))
        #expect(message["content"] == .string("Hello there"))
        #expect(usage["completion_tokens"] == .number(JSONNumber(4)))
        #expect(harness.metric(#"sluice_cache_tokens_saved_total{route="to-claude",type="completion"}"#) == 12)
    }

    @Test func anOpenAIAnswerTranslatedForAnAnthropicClientIsStoredAndReplayedInEitherForm() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, first) = harness.request(.post, "/v1/messages", headers: Self.anthropicHeaders, body: Self.messages)
        harness.upstream.last.head(200, ["content-type": "application/json"])
        harness.upstream.last.send(Translation.openAIAnswer)
        harness.upstream.last.finish()
        #expect(first.header("x-sluice-cache") == "miss")

        let (_, replay) = harness.request(.post, "/v1/messages", headers: Self.anthropicHeaders, body: Self.messages)
        #expect(harness.upstream.transfers.count == 1, "no upstream attempt")
        #expect(replay.header("x-sluice-cache") == "hit")
        #expect(replay.body == first.body, "the message the first client got")
        #expect(replay.bodyText.hasPrefix(#"{"id":"#) && replay.bodyText.contains(#""type":"message""#))

        let (_, stream) = harness.request(.post, "/v1/messages", headers: Self.anthropicHeaders, body: Self.streaming(Self.messages))
        #expect(harness.upstream.transfers.count == 1)
        #expect(stream.header("content-type") == "text/event-stream")
        #expect(stream.bodyText.hasPrefix("event: message_start"))
        #expect(stream.bodyText.contains(#""text":"Hello!""#))
        #expect(stream.bodyText.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
    }

    @Test func aTranslatedStreamCutShortIsNotStored() throws {
        let harness = try SessionHarness(config: Self.config)
        harness.request(body: Self.streaming(Self.chat))
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        upstream.send(Array(Translation.anthropicStream.utf8.prefix(400)))
        upstream.finish()
        #expect(harness.metric(#"sluice_cache_stores_total{route="to-claude",result="stored"}"#) == nil)
        #expect(harness.metric("sluice_cache_memory_entries") == 0)
        harness.request(body: Self.streaming(Self.chat))
        #expect(harness.upstream.transfers.count == 2, "asked again")
    }
}
