@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a session driven with a scripted upstream and a client whose socket fills.
@Suite struct ProxySessionStreamTests {
    static let streamRequest = #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":false},"messages":[]}"#

    /// Before the pause contract became a type, the session wrote a piece to the client and
    /// then asked to pause, and libcurl offered the same piece again: duplicated events.
    @Test(arguments: [(64 * 1024, 16_384), (4 * 1024, 1_500), (1 << 30, 16_384)])
    func aClientReceivesExactlyTheProvidersStreamBytes(highWatermark: Int, maxPiece: Int) throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let response = RecordingResponse()
        response.highWatermark = highWatermark
        let (session, _) = harness.request(body: Self.streamRequest, response: response)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let sent = Streams.chat(events: 40_000)  // ~4 MB: fills a small socket buffer many times
        #expect(sent.count > 4_000_000)
        for piece in Streams.pieces(sent, maxPiece: maxPiece, seed: 7) {
            upstream.send(piece)
            // The client reads only when the socket is full: it stays full most of the time.
            if upstream.hasPending {
                response.drain()
                session.responseWritable()
            }
        }
        upstream.finish()
        if highWatermark < 1 << 30 { #expect(upstream.pauses > 10, "the test must fill the client's socket") }
        #expect(response.body == sent, "the client gets the provider's bytes, none twice, none lost")
        #expect(response.finished)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1)
    }

    @Test func aLargeJSONAnswerStreamsThroughAtTheClientsPaceWithItsLength() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let response = RecordingResponse()
        response.highWatermark = 8 * 1024
        let (session, _) = harness.request(body: #"{"model":"gpt-4o-mini","messages":[]}"#, response: response)
        let upstream = harness.upstream.last
        var body = Array(#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":""#.utf8)
        body += [UInt8](repeating: UInt8(ascii: "a"), count: 3_000_000)
        body += Array(#""},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#.utf8)
        upstream.head(200, ["content-type": "application/json", "content-length": String(body.count)])
        // Past the hold limit (truncation.bufferBytes) the body streams through, at the client's pace.
        for piece in Streams.pieces(body, maxPiece: 16_384, seed: 3) {
            upstream.send(piece)
            if upstream.hasPending {
                response.drain()
                session.responseWritable()
            }
        }
        upstream.finish()
        #expect(upstream.pauses > 10)
        #expect(response.contentLength == body.count, "the provider's content-length is kept while streaming through")
        #expect(response.body == body)
        #expect(response.finished)
        #expect(harness.metric(#"sluice_tokens_total{route="r",backend="primary",model="gpt-4o-mini",type="completion"}"#) == 5,
                "the usage is read from the end of an answer too large to hold")
    }

    @Test func aHeldJSONAnswerIsDeliveredWithItsLengthAndCounted() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (_, response) = harness.request(body: #"{"model":"gpt-4o-mini","messages":[]}"#)
        let upstream = harness.upstream.last
        let body = Array(#"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#.utf8)
        upstream.head(200)
        for piece in Streams.pieces(body, maxPiece: 7, seed: 5) { upstream.send(piece) }
        #expect(response.head == nil, "held until the whole body is read for truncation")
        upstream.finish()
        #expect(response.body == body)
        #expect(response.contentLength == body.count)
        #expect(harness.metric(#"sluice_tokens_total{route="r",backend="primary",model="gpt-4o-mini",type="completion"}"#) == 5)
        #expect(harness.metric(#"sluice_cost_total{route="r",backend="primary",model="gpt-4o-mini",currency="USD"}"#) != nil)
    }
}
