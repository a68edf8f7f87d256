@testable import ProxyDataPlane
import ProxyCore
import ProxyUpstream
import Testing

/// Level 2: retries, fallbacks, the first-token timeout and what metrics say about them.
@Suite struct ProxySessionAttemptTests {
    static let chat = #"{"model":"gpt-4o-mini","messages":[]}"#
    static let stream = #"{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[]}"#
    static let answer = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#

    @Test func aRetryWaitsForTheProvidersRetryAfterThenSucceeds() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (_, response) = harness.request(body: Self.chat)
        harness.upstream.last.head(429, ["retry-after": "2", "content-type": "application/json"])
        #expect(harness.upstream.last.cancelled)
        harness.scheduler.advance(by: .milliseconds(1_999))
        #expect(harness.upstream.transfers.count == 1, "not before the provider's 2 s")
        harness.scheduler.advance(by: .milliseconds(1))
        #expect(harness.upstream.transfers.count == 2)
        let retry = harness.upstream.last
        #expect(retry.request.url == "http://127.0.0.1:9/v1/chat/completions")
        retry.head(200)
        retry.send(Self.answer)
        retry.finish()
        #expect(response.status == 200)
        #expect(response.header("x-sluice-attempts") == "2")
        #expect(harness.metric(#"sluice_retries_total{route="r",backend="primary"}"#) == 1)
        #expect(harness.metric(#"sluice_upstream_errors_total{backend="primary",kind="rate_limited"}"#) == 1)
    }

    /// Metrics and headers used to name the route's first pick even when the fallback answered.
    @Test func metricsAndHeadersNameTheBackendThatAnswered() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(retryAttempts: 1))
        let (_, response) = harness.request(body: Self.chat)
        harness.upstream.last.finish(.connect("refused"))
        harness.scheduler.advance(by: .zero)
        let fallback = harness.upstream.last
        #expect(harness.upstream.transfers.count == 2)
        #expect(fallback.request.url == "http://127.0.0.1:9/spare/v1/chat/completions")
        fallback.head(200)
        fallback.send(Self.answer)
        fallback.finish()
        #expect(response.status == 200)
        #expect(response.header("x-sluice-backend") == "spare")
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="spare",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == nil)
        #expect(harness.metric(#"sluice_fallbacks_total{route="r",from="primary",to="spare",reason="connect"}"#) == 1)
        #expect(harness.metric(#"sluice_upstream_errors_total{backend="primary",kind="connect"}"#) == 1)
    }

    /// DeepSeek answers a slow request with a 200 and `: keep-alive` comments before its first
    /// token: the head-based timeout never fires. The first-token timeout fails over.
    @Test func aFirstTokenTimeoutFailsOverAStreamThatOnlySendsKeepAlives() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(primaryTimeouts: #"{"firstToken": "1s"}"#, retryAttempts: 1))
        let (_, response) = harness.request(body: Self.stream)
        let primary = harness.upstream.last
        primary.head(200, ["content-type": "text/event-stream"])
        primary.send(": keep-alive\n\n")
        harness.scheduler.advance(by: .milliseconds(500))
        primary.send(": keep-alive\n\n")
        #expect(response.head == nil, "nothing reaches the client while the first token may still fail over")
        harness.scheduler.advance(by: .milliseconds(500))
        #expect(primary.cancelled)
        harness.scheduler.advance(by: .zero)
        let spare = harness.upstream.last
        #expect(harness.upstream.transfers.count == 2)
        spare.head(200, ["content-type": "text/event-stream"])
        harness.scheduler.advance(by: .milliseconds(200))
        let sent = Streams.chat(events: 3)
        spare.send(sent)
        spare.finish()
        #expect(response.status == 200)
        #expect(response.body == sent)
        #expect(response.header("x-sluice-backend") == "spare")
        #expect(harness.metric(#"sluice_upstream_errors_total{backend="primary",kind="first_token_timeout"}"#) == 1)
        // Time to first token: from the request's start across the failover, to the spare's first event.
        #expect(harness.metric(#"sluice_time_to_first_token_seconds_sum{route="r",backend="spare"}"#) == 1.2)
    }

    @Test func aFirstTokenInTimeCommitsTheHeldStreamWithItsComments() throws {
        let harness = try SessionHarness(config: Configs.twoBackends(primaryTimeouts: #"{"firstToken": "1s"}"#))
        let (_, response) = harness.request(body: Self.stream)
        let primary = harness.upstream.last
        primary.head(200, ["content-type": "text/event-stream"])
        primary.send(": keep-alive\n\n")
        harness.scheduler.advance(by: .milliseconds(300))
        let events = Streams.chat(events: 2)
        primary.send(events)
        harness.scheduler.advance(by: .seconds(5))
        primary.finish()
        #expect(harness.upstream.transfers.count == 1)
        #expect(response.body == Array(": keep-alive\n\n".utf8) + events)
        #expect(harness.metric(#"sluice_time_to_first_token_seconds_sum{route="r",backend="primary"}"#) == 0.3)
    }

    /// Without a first-token timeout the head is committed at once; time to first token still
    /// waits for the first data event, not the head or the comments.
    @Test func timeToFirstTokenIgnoresTheHeadAndComments() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (_, response) = harness.request(body: Self.stream)
        let primary = harness.upstream.last
        harness.scheduler.advance(by: .milliseconds(10))
        primary.head(200, ["content-type": "text/event-stream"])
        #expect(response.status == 200)
        primary.send(": keep-alive\n\n")
        harness.scheduler.advance(by: .milliseconds(2_990))
        primary.send(Streams.chat(events: 1))
        primary.finish()
        #expect(harness.metric(#"sluice_time_to_first_token_seconds_sum{route="r",backend="primary"}"#) == 3.0)
    }

    @Test func aRequestStillRunningAfterAReloadKeepsItsSnapshotsLabels() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let (_, response) = harness.request(body: Self.chat)
        // The new config renames backend 0: its old requests must keep counting as "primary".
        let renamed = Configs.twoBackends().replacingFirst(#""name": "primary""#, with: #""name": "renamed""#)
            .replacingFirst(#"{"backend": "primary""#, with: #"{"backend": "renamed""#)
        try harness.publish(config: renamed)
        let (_, second) = harness.request(body: Self.chat)
        harness.upstream.transfers[0].head(200)
        harness.upstream.transfers[0].send(Self.answer)
        harness.upstream.transfers[0].finish()
        harness.upstream.transfers[1].head(200)
        harness.upstream.transfers[1].send(Self.answer)
        harness.upstream.transfers[1].finish()
        #expect(response.status == 200 && second.status == 200)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="primary",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1)
        #expect(harness.metric(#"sluice_requests_total{route="r",backend="renamed",model="gpt-4o-mini",code="200",consumer="anonymous"}"#) == 1)
    }

    @Test func theProviderSeesTheSidecarsSpanAsItsParent() throws {
        let harness = try SessionHarness(config: Configs.twoBackends())
        let incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        harness.request(headers: ["traceparent": incoming, "tracestate": "a=b"], body: Self.chat)
        let sent = try #require(harness.upstream.last.header("traceparent"))
        #expect(sent.hasPrefix("00-0af7651916cd43dd8448eb211c80319c-"))
        #expect(sent.hasSuffix("-01"))
        #expect(!sent.contains("b7ad6b7169203331"), "the parent is the sidecar's own span, not the app's")
        #expect(harness.upstream.last.header("tracestate") == "a=b")
        #expect(harness.upstream.last.request.headers.count(of: "traceparent") == 1)
    }
}

extension HTTPHeaders {
    func count(of name: String) -> Int {
        var count = 0
        for (field, _) in self where HTTPHeaders.namesEqual(field, name) { count += 1 }
        return count
    }
}
