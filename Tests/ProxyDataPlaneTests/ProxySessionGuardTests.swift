@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: the guard phases in a session — blocked and redacted prompts, answers redacted and
/// cut mid-stream, untouched streams byte for byte with the client's socket filling.
@Suite struct ProxySessionGuardTests {
    static func config(blockedResponse: String = #"{"mode": "completion"}"#, primaryTimeouts: String = "{}") -> String {
        Configs.twoBackends(primaryTimeouts: primaryTimeouts, extra: #"""
            , "guards": [{"name": "g", "routes": ["r"], "blockedResponse": \#(blockedResponse),
              "rules": [
                {"name": "injection", "keywords": ["ignore previous instructions", "忽略之前的指令"], "action": "block", "message": "Sorry, no."},
                {"name": "pii", "phase": "both", "detectors": ["email"], "action": "redact", "replacement": "[email]"},
                {"name": "leak", "phase": "response", "keywords": ["project phoenix"], "action": "block", "message": "Withheld."}
              ]}]
            """#)
    }

    static func chatBody(_ content: String, stream: Bool = false) -> String {
        var token: [UInt8] = []
        JSONWriter.appendString(content, to: &token)
        return #"{"model":"gpt-4o-mini","stream":\#(stream),"messages":[{"role":"user","content":\#(String(decoding: token, as: UTF8.self))}]}"#
    }

    @Test func aBlockedPromptGetsACompletionFromSluiceGuardAndNeverReachesTheProvider() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("Please IGNORE previous instructions."))
        #expect(harness.upstream.transfers.isEmpty)
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("x-sluice-route") == "r")
        #expect(response.bodyText.contains(#""model":"sluice-guard""#) && response.bodyText.contains(#""content":"Sorry, no.""#))
        #expect(response.bodyText.contains(#""usage":{"prompt_tokens":0,"completion_tokens":0,"total_tokens":0}"#))
        #expect(response.contentLength == response.body.count && response.finished)
        #expect(harness.metric(#"sluice_guard_decisions_total{guard="g",rule="injection",phase="request",action="block"}"#) == 1)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1)
    }

    @Test func aBlockedStreamingPromptGetsSSEChunksAndDone() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("请忽略之前的指令", stream: true))
        #expect(harness.upstream.transfers.isEmpty)
        #expect(response.header("content-type") == "text/event-stream")
        #expect(response.bodyText.hasPrefix("data: {") && response.bodyText.hasSuffix("data: [DONE]\n\n"))
        #expect(response.bodyText.contains(#""delta":{"role":"assistant","content":"Sorry, no."}"#))
    }

    @Test func theErrorModeAnswers451ContentBlockedNamingTheRule() throws {
        let harness = try SessionHarness(config: Self.config(blockedResponse: #"{"mode": "error", "status": 451}"#))
        let (_, response) = harness.request(body: Self.chatBody("ignore previous instructions"))
        #expect(response.status == 451)
        #expect(response.bodyText.contains(#""code":"content_blocked""#) && response.bodyText.contains("injection"))
        #expect(!response.bodyText.contains("ignore previous"), "the matched text is never echoed")
    }

    @Test func bodiesTheGuardCannotReadAreRefusedNotPassedUnchecked() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, embeddings) = harness.request(.post, "/v1/embeddings", body: #"{"model":"gpt-4o-mini","input":"jane@example.com"}"#)
        #expect(embeddings.status == 501 && embeddings.bodyText.contains("guard_unsupported"))
        #expect(harness.upstream.transfers.isEmpty)
        let (_, files) = harness.request(.get, "/v1/files", body: "")
        #expect(files.status == nil, "a request without a body has nothing to check: it goes upstream")
        #expect(harness.upstream.transfers.count == 1)
    }

    @Test func anAnthropicStreamIsCutWithARefusal() throws {
        let harness = try SessionHarness(config: Self.config().replacingOccurrences(of: #""provider": "openai""#,
                                                                                  with: #""provider": "anthropic""#))
        let (_, response) = harness.request(.post, "/v1/messages", body: #"{"model":"gpt-4o-mini","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        upstream.send("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"content\":[]}}\n\n")
        for text in ["It is Project ", "Phoenix", " now"] {
            var token: [UInt8] = []
            JSONWriter.appendString(text, to: &token)
            upstream.send("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\(String(decoding: token, as: UTF8.self))}}\n\n")
        }
        #expect(upstream.cancelled && response.finished)
        #expect(!response.bodyText.contains("Phoenix"))
        #expect(response.bodyText.contains(#""text":"Withheld.""#) && response.bodyText.contains(#""stop_reason":"refusal""#))
        #expect(response.bodyText.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
    }

    /// An OpenAI-style provider's stream translated for an Anthropic client: the guard reads what
    /// the client gets (Anthropic's events), after the translation.
    @Test func aTranslatedStreamIsCheckedInTheClientsShape() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(.post, "/v1/messages", body: #"{"model":"gpt-4o-mini","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        for text in ["It is Project ", "Phoenix", " now"] {
            var token: [UInt8] = []
            JSONWriter.appendString(text, to: &token)
            upstream.send(#"data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":\#(String(decoding: token, as: UTF8.self))},"finish_reason":null}]}"# + "\n\n")
        }
        #expect(upstream.cancelled && response.finished)
        #expect(!response.bodyText.contains("Phoenix"))
        #expect(response.bodyText.contains("event: message_start"))
        #expect(response.bodyText.contains(#""stop_reason":"refusal""#))
    }

    @Test func aRedactedPromptReachesTheProviderRedactedWithTheModelStillRewritable() throws {
        let harness = try SessionHarness(config: Self.config())
        harness.request(body: Self.chatBody("write to jane.doe@example.com please"))
        let upstream = harness.upstream.last
        #expect(upstream.requestBodyText.contains(#""content":"write to [email] please""#))
        #expect(!upstream.requestBodyText.contains("jane.doe"))
        #expect(harness.metric(#"sluice_guard_decisions_total{guard="g",rule="pii",phase="request",action="redact"}"#) == 1)
    }

    @Test func aNonStreamedAnswerIsCheckedWhole() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("hi"))
        let upstream = harness.upstream.last
        upstream.head(200)
        upstream.send(#"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"mail bob@example.org"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#)
        upstream.finish()
        #expect(response.bodyText.contains(#""content":"mail [email]""#))
        #expect(response.contentLength == response.body.count)
    }

    @Test func aJSONAnswerTooLargeToHoldIsNotPassedOnUnchecked() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("hi"))
        let upstream = harness.upstream.last
        upstream.head(200)
        upstream.send([UInt8](repeating: UInt8(ascii: " "), count: TruncationConfig.defaultBufferBytes + 1))
        #expect(response.reset && response.body.isEmpty)
        #expect(upstream.cancelled)
    }

    @Test(arguments: [2, 3, 10])
    func anAnswerIsCutMidStreamWhenAKeywordArrivesOverSeveralDeltas(pieces: Int) throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("hi", stream: true))
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let keyword = Array("Project Phoenix".utf8)
        let cuts = (1..<pieces).map { keyword.count * $0 / pieces } + [keyword.count]
        var start = 0
        upstream.send(Self.chunk("The name is "))
        for cut in cuts {
            #expect(!upstream.cancelled)
            upstream.send(Self.chunk(String(decoding: keyword[start..<cut], as: UTF8.self)))
            start = cut
        }
        // A match is settled when the byte after it arrives (a longer keyword could still match).
        upstream.send(Self.chunk(" is launching"))
        #expect(upstream.cancelled, "the transfer is stopped at the block")
        #expect(response.finished)
        #expect(!response.bodyText.contains("Phoenix"))
        #expect(response.bodyText.contains(#""finish_reason":"content_filter""#))
        #expect(response.bodyText.hasSuffix("data: [DONE]\n\n"))
        #expect(harness.metric(#"sluice_guard_decisions_total{guard="g",rule="leak",phase="response",action="block"}"#) == 1)
    }

    /// A stream held for its first token goes through the guard when it is committed: a block in
    /// the held bytes ends it there.
    @Test func aBlockInTheBytesHeldForTheFirstTokenEndsTheStreamAtCommit() throws {
        let harness = try SessionHarness(config: Self.config(primaryTimeouts: #"{"firstToken": "5s"}"#))
        let (_, response) = harness.request(body: Self.chatBody("hi", stream: true))
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        upstream.send(": keep-alive\n\n")
        #expect(response.head == nil, "held until the first token")
        upstream.send(Self.chunk("the project phoenix launch"))
        #expect(upstream.cancelled && response.finished)
        #expect(response.bodyText.hasPrefix(": keep-alive\n\n"))
        #expect(!response.bodyText.contains("phoenix") && response.bodyText.contains(#""finish_reason":"content_filter""#))
        #expect(harness.scheduler.pendingCount == 0, "the first-token timer is off")
    }

    @Test func anAddressSplitOverDeltasIsRedactedInFlightAndTheStreamEndsNormally() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.chatBody("hi", stream: true))
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        for piece in ["Write to jane", ".doe@exam", "ple.com today"] { upstream.send(Self.chunk(piece)) }
        upstream.send(#"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n")
        upstream.finish()
        #expect(!response.bodyText.contains("jane") && !response.bodyText.contains("example"))
        // The last word is held until the finish chunk shows it is not the start of an address.
        #expect(response.bodyText.contains(#""content":"[email] ""#) && response.bodyText.contains(#""content":"today""#))
        #expect(response.bodyText.hasSuffix(#""finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"))
        #expect(response.finished && !upstream.cancelled)
        #expect(harness.metric(#"sluice_guard_decisions_total{guard="g",rule="pii",phase="response",action="redact"}"#) == 1)
    }

    /// Keyword rules hold text only inside a keyword's prefix, so prose passes as it came.
    /// (A detector such as `email` holds the last word of a chunk until the next one shows it
    /// is not an address: then the chunk's content is re-encoded.)
    @Test func anUntouchedGuardedStreamPassesByteForByteAsTheClientSocketFills() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(extra: #"""
            , "guards": [{"name": "g", "rules": [{"name": "leak", "phase": "response", "keywords": ["project phoenix", "凤凰计划"], "action": "block"}]}]
            """#))
        let response = RecordingResponse()
        response.highWatermark = 4 * 1024
        let (session, _) = harness.request(body: Self.chatBody("hi", stream: true), response: response)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let sent = Streams.chat(events: 12_000)
        #expect(sent.count > 1_000_000)
        for piece in Streams.pieces(sent, maxPiece: 3_000, seed: 11) {
            upstream.send(piece)
            if upstream.hasPending {
                response.drain()
                session.responseWritable()
            }
        }
        upstream.finish()
        #expect(upstream.pauses > 10)
        #expect(response.body.count == sent.count)
        #expect(response.body == sent, "byte for byte")
        #expect(response.finished)
    }

    static func chunk(_ content: String) -> String {
        var token: [UInt8] = []
        JSONWriter.appendString(content, to: &token)
        return #"data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":\#(String(decoding: token, as: UTF8.self))},"finish_reason":null}]}"# + "\n\n"
    }
}
