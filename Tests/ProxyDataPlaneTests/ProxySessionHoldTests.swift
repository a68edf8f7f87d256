@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a stream held for truncation fallback reaches the client at its deadline, provider quiet or not.
@Suite struct ProxySessionHoldTests {
    static let route = #", "truncation": {"bufferStreams": "2s"}"#
    static let fallingBackOnTruncation = Configs.twoBackends(route: Self.route).replacingOccurrences(
        of: #""timeout": true}"#, with: #""timeout": true, "truncation": true}"#)

    /// Before the deadline was a timer, a provider that went quiet after its first event kept
    /// the head and that event from the client until its next byte, however late.
    @Test func aHeldStreamPrefixReachesTheClientAtItsDeadlineWhenTheProviderGoesQuiet() throws {
        let harness = try SessionHarness(config: Self.fallingBackOnTruncation)
        let (_, response) = harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        let first = #"data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}"# + "\n\n"
        upstream.send(first)
        harness.scheduler.advance(by: .milliseconds(1_999))
        #expect(response.head == nil, "held for truncation fallback until the deadline")
        harness.scheduler.advance(by: .milliseconds(1))
        #expect(response.status == 200)
        #expect(response.bodyText == first)
        // From here on bytes pass as they come, and the end is the provider's.
        let rest = #"data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"# + "\n\ndata: [DONE]\n\n"
        upstream.send(rest)
        upstream.finish()
        #expect(response.bodyText == first + rest)
        #expect(response.finished)
    }

    /// A held answer takes room in the process's buffer budget; when the next piece would not fit,
    /// the answer is passed on instead of held (nothing lost), and the budget comes back.
    @Test func aHeldAnswerThatWouldOverrunTheBufferBudgetIsPassedOnAndTheBudgetComesBack() throws {
        let config = Self.fallingBackOnTruncation.replacingOccurrences(
            of: #""kind": "ProxyConfig","#, with: #""kind": "ProxyConfig", "defaults": {"maxRequestBodyBytes": 65536, "maxBufferedBytes": 65536},"#)
        let harness = try SessionHarness(config: config)
        let (session, response) = harness.request(body: #"{"model":"gpt-4o-mini","messages":[]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "application/json"])
        let piece = String(repeating: "x", count: 40_000)
        let first = #"{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":""# + piece
        upstream.send(first)
        #expect(response.head == nil, "held: the answer might stop at the token limit")
        #expect((harness.metric("sluice_buffered_bytes") ?? 0) >= Double(first.utf8.count))
        upstream.send(piece)
        #expect(response.status == 200, "a second piece would overrun the budget: the answer is committed")
        #expect(response.bodyText == first + piece)
        let last = #""},"finish_reason":"stop"}]}"#
        upstream.send(last)
        response.drain()  // the client reads what was passed on
        session.responseWritable()
        upstream.finish()
        #expect(response.bodyText == first + piece + last)
        #expect(response.finished)
        #expect(harness.metric("sluice_buffered_bytes") == 0, "every reserved byte given back")
    }
}
