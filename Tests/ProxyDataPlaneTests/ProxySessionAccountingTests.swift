@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: what a request leaves in the metrics, however it ends.
@Suite struct ProxySessionAccountingTests {
    static let chat = #"{"model":"gpt-4o-mini","messages":[]}"#
    static let answer = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":4,"total_tokens":5}}"#

    @Test func aClientLeavingMidStreamCancelsTheTransferAndIsCountedOnce() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (session, _) = harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[]}"#)
        let upstream = harness.upstream.last
        upstream.head(200, ["content-type": "text/event-stream"])
        upstream.send(Array(Streams.chat(events: 3).prefix(80)))
        session.connectionClosed()
        session.connectionClosed()
        #expect(upstream.cancelled)
        #expect(harness.metric(#"sluice_upstream_errors_total{backend="primary",kind="cancelled"}"#) == 1)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1,
                "logged once, with the status the client already got")
    }

    @Test func aClientLeavingWhileWaitingForARetryIsLoggedOnceAs499() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (session, _) = harness.request(body: Self.chat)
        harness.upstream.last.head(503)
        session.connectionClosed()
        harness.scheduler.advance(by: .seconds(5))
        #expect(harness.upstream.transfers.count == 1, "no retry for a client that left")
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="499",consumer="anonymous"}"#) == 1)
        #expect(harness.metric(#"sluice_upstream_errors_total{backend="primary",kind="cancelled"}"#) == nil,
                "no transfer was running")
    }

    @Test func timePerOutputTokenIsForStreamsOnly() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        harness.request(body: Self.chat)
        harness.upstream.last.head(200)
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect((harness.metric(#"sluice_time_per_output_token_seconds_count{backend="primary",model="gpt-4o-mini"}"#) ?? 0) == 0)

        harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[]}"#)
        let stream = harness.upstream.last
        stream.head(200, ["content-type": "text/event-stream"])
        stream.send(Streams.chat(events: 1))
        harness.scheduler.advance(by: .milliseconds(300))
        stream.send(#"data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":4,"total_tokens":5}}"# + "\n\n")
        stream.finish()
        #expect(harness.metric(#"sluice_time_per_output_token_seconds_count{backend="primary",model="gpt-4o-mini"}"#) == 1)
        let perToken = try #require(harness.metric(#"sluice_time_per_output_token_seconds_sum{backend="primary",model="gpt-4o-mini"}"#))
        #expect(abs(perToken - 0.1) < 1e-9, "300 ms after the first token, over 3 more tokens")
    }

    /// A model reached through a glob route counts under its own name when a backend prices it.
    @Test func aPricedModelBehindAGlobRouteKeepsItsOwnLabel() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(route: #", "match": {"model": {"glob": "gpt-4o*"}}"#))
        harness.request(body: Self.chat)
        harness.upstream.last.head(200)
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect(harness.metric(#"sluice_tokens_total{route="r",backend="primary",model="gpt-4o-mini",type="completion"}"#) == 4)
        harness.request(body: #"{"model":"gpt-4o-unpriced","messages":[]}"#)
        harness.upstream.last.head(200)
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect(harness.metric(#"sluice_tokens_total{route="r",backend="primary",model="other",type="completion"}"#) == 4)
    }

    @Test func warmupPingsWaitWhileARequestIsInFlight() throws {
        let config = Configs.twoBackends().replacingFirst(#""name": "primary", "provider": "openai","#,
            with: #""name": "primary", "provider": "openai", "warmup": {"idleAfter": "1s", "interval": "1s", "get": "/models"}, "maxConcurrentRequests": 1,"#)
        let harness = try SessionHarness(config: config)
        let driver = WarmupDriver(context: harness.loop)
        harness.scheduler.advance(by: .milliseconds(100))
        #expect(harness.upstream.transfers.count == 1, "the start-up ping")
        harness.upstream.last.head(200)
        harness.upstream.last.finish()
        let (_, response) = harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[]}"#)
        let stream = harness.upstream.last
        stream.head(200, ["content-type": "text/event-stream"])
        for _ in 0..<50 {
            harness.scheduler.advance(by: .milliseconds(100))
            stream.send(": still here\n\n")
        }
        #expect(harness.upstream.transfers.count == 2, "no ping during a 5 s stream")
        stream.send(Streams.chat(events: 1))
        stream.finish()
        #expect(response.finished)
        harness.scheduler.advance(by: .milliseconds(900))
        #expect(harness.upstream.transfers.count == 2, "idle counts from the end of the request")
        harness.scheduler.advance(by: .milliseconds(200))
        #expect(harness.upstream.transfers.count == 3)
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/models")
        _ = driver
    }

    @Test func aChatWarmupPingToAnAnthropicBackendUsesItsMessagesAPI() throws {
        let config = Configs.twoBackends().replacingFirst(#""name": "primary", "provider": "openai","#,
            with: #""name": "primary", "provider": "anthropic", "warmup": {"idleAfter": "1s", "interval": "1s", "chat": {"model": "claude-haiku"}},"#)
        let harness = try SessionHarness(config: config)
        let driver = WarmupDriver(context: harness.loop)
        harness.scheduler.advance(by: .milliseconds(100))
        let ping = harness.upstream.last
        #expect(ping.request.url == "http://127.0.0.1:9/v1/messages")
        #expect(ping.header("anthropic-version") == "2023-06-01")
        #expect(String(decoding: ping.request.body, as: UTF8.self) == #"{"model":"claude-haiku","messages":[{"role":"user","content":"ping"}],"max_tokens":1}"#)
        _ = driver
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (no Foundation in these tests).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let parts = split(separator: target, maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? parts[0] + replacement + parts[1] : self
    }
}
