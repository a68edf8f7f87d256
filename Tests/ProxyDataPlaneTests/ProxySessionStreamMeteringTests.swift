@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a consumer's output tokens are charged as a stream flows; when a limit runs out the
/// stream is cut cleanly at an event boundary (`cut`) or runs to its end (`finish`).
@Suite struct ProxySessionStreamMeteringTests {
    static let key = ProxySessionTokenLimitTests.key
    static let stream = #"{"model":"gpt-4o-mini","stream":true,"max_tokens":20}"#

    /// The stream's events, each as its own piece (the last one is `[DONE]`).
    static func events(_ count: Int) -> [[UInt8]] {
        let text = String(decoding: Streams.chat(events: count), as: UTF8.self)
        return text.components(separatedBy: "\n\n").dropLast().map { Array(($0 + "\n\n").utf8) }
    }

    /// How many of `events` pass before their generated text is over `tokens` (4 bytes a token).
    static func eventsWithin(_ tokens: Int, of events: [[UInt8]]) -> Int {
        var bytes = 0
        for (index, event) in events.enumerated() {
            let payload = String(decoding: event, as: UTF8.self)
            if let start = payload.range(of: #""content":""#), let end = payload[start.upperBound...].firstIndex(of: "\"") {
                bytes += payload.distance(from: start.upperBound, to: end)
            }
            if (bytes + 3) / 4 > tokens { return index + 1 }
        }
        return events.count
    }

    @Test func aStreamThatRunsThroughTheTokenLimitIsCutCleanlyAfterTheEventThatCrossedIt() throws {
        let harness = try ProxySessionTokenLimitTests.harness(#""rateLimits": {"tokensPerMinute": 100, "tokenCounting": "output"}"#)
        harness.scheduler.advance(by: .seconds(29))
        let (_, response) = harness.request(headers: Self.key, body: Self.stream)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let events = Self.events(40)
        let passed = Self.eventsWithin(100, of: events)
        #expect(passed > 5 && passed < 40)
        for event in events where !upstream.isDone { upstream.send(event) }
        #expect(upstream.cancelled, "the provider's transfer is stopped")
        #expect(response.finished)
        let message = #"the stream was cut: rate limit of 100 tokens per minute reached for consumer \"search\"; retry in 30s"#
        let ending = #"data: {"id":"\#(response.header("x-request-id")!)","object":"chat.completion.chunk","created":1767225629,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#
            + "\n\nevent: error\n" + #"data: {"error":{"message":"\#(message)","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}"#
            + "\n\ndata: [DONE]\n\n"
        #expect(response.bodyText == String(decoding: events.prefix(passed).joined(), as: UTF8.self) + ending,
                "the events up to the one that crossed the limit, byte for byte, then the clean ending")
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="tokens"}"#) == 1)
        let (_, next) = harness.request(headers: Self.key, body: Self.stream)
        #expect(next.status == 429, "the window is spent")
    }

    @Test func aStreamIsCutOnlyAtAnEventBoundary() throws {
        let harness = try ProxySessionTokenLimitTests.harness(#""rateLimits": {"tokensPerMinute": 30, "tokenCounting": "output"}, "estimatedOutputTokens": 1"#)
        let (_, response) = harness.request(headers: Self.key, body: #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let bytes = Streams.chat(events: 40)
        // Pieces of 7 bytes: most end inside an event.
        for piece in Streams.pieces(bytes, maxPiece: 7, seed: 3) where !upstream.isDone { upstream.send(piece) }
        #expect(upstream.cancelled)
        let text = response.bodyText
        let cut = try #require(text.range(of: #"data: {"id":""#, options: .backwards))
        let passed = String(text[..<cut.lowerBound])
        #expect(passed.hasSuffix("\n\n") && bytes.starts(with: Array(passed.utf8)), "a prefix of whole events")
        #expect(text.hasSuffix(#""code":"rate_limit_exceeded"}}"# + "\n\ndata: [DONE]\n\n"))
    }

    @Test func withFinishTheStreamRunsToItsEndAndTheOvershootIsCharged() throws {
        let harness = try ProxySessionTokenLimitTests.harness(#""quotas": {"tokensPerDay": 60}, "midStreamExhaustion": "finish""#)
        let (_, response) = harness.request(headers: Self.key, body: #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"max_tokens":20}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        var sent = Array(Streams.chat(events: 40).dropLast("data: [DONE]\n\n".utf8.count))
        sent += Array(#"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":300,"total_tokens":309}}"#.utf8)
        sent += Array("\n\ndata: [DONE]\n\n".utf8)
        upstream.send(sent)
        upstream.finish()
        #expect(response.body == sent, "untouched")
        let (_, next) = harness.request(headers: Self.key, body: Self.stream)
        #expect(next.status == 429)
        #expect(next.bodyText.contains(#""code":"insufficient_quota""#))
    }

    @Test func aStreamWithinItsReservationIsNeverTouched() throws {
        let harness = try ProxySessionTokenLimitTests.harness(#""rateLimits": {"tokensPerMinute": 100000}"#)
        let (_, response) = harness.request(headers: Self.key, body: #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true}}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let sent = Streams.chat(events: 200)
        for piece in Streams.pieces(sent, maxPiece: 900, seed: 11) { upstream.send(piece) }
        upstream.finish()
        #expect(response.body == sent)
        #expect(response.finished)
    }

    @Test func anAnthropicStreamIsCutInAnthropicsShape() throws {
        let harness = try ProxySessionTokenLimitTests.harness(#""quotas": {"tokensPerDay": 40}, "estimatedOutputTokens": 1"#,
                                                              provider: "anthropic")
        let (_, response) = harness.request(.post, "/v1/messages", headers: Self.key,
                                            body: #"{"model":"claude-sonnet-4","stream":true,"messages":[]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        var events = ["event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"]
        for index in 0..<40 {
            events.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word number \(index) \"}}\n\n")
        }
        for event in events where !upstream.isDone { upstream.send(event) }
        #expect(upstream.cancelled)
        let text = response.bodyText
        #expect(text.hasPrefix(events[0]) && text.contains("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\""))
        #expect(text.contains(#"event: error"# + "\n" + #"data: {"type":"error","error":{"type":"rate_limit_error","message":"the stream was cut: the token quota of 40 tokens per day is used up"#))
        #expect(text.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
        #expect(harness.metric(#"sluice_rate_limited_total{consumer="search",reason="quota"}"#) == 1)
    }
}
