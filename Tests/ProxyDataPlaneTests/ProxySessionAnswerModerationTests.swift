@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: the moderation hook on answers — a stream's text held per window until allowed,
/// the upstream paused while two windows wait, the end waiting for the last verdict, a client
/// that leaves meanwhile, a whole answer asked once.
@Suite struct ProxySessionAnswerModerationTests {
    static let config = Configs.twoBackends(extra: #"""
        , "guards": [{"name": "g", "rules": [
            {"name": "moderated", "phase": "response", "action": "block", "message": "Flagged.",
             "moderation": {"url": "http://127.0.0.1:9/v1/moderations", "timeout": "1s", "streamWindow": 16}}]}]
        """#)

    static func chunk(_ text: String) -> String {
        var token: [UInt8] = []
        JSONWriter.appendString(text, to: &token)
        return #"data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":\#(String(decoding: token, as: UTF8.self))},"finish_reason":null}]}"# + "\n\n"
    }

    static let role = #"data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"# + "\n\n"

    static func allow(_ call: ScriptedTransfer, _ harness: SessionHarness) {
        call.head(200)
        call.send(#"{"results":[{"flagged":false}]}"#)
        call.finish()
        harness.scheduler.advance(by: .zero)
    }

    @Test func aStreamIsReleasedWindowByWindowAndItsEndWaitsForTheLastVerdict() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, response) = harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        let provider = harness.upstream.last
        provider.head(200, ["content-type": "text/event-stream"])
        provider.send(Self.role)
        #expect(response.bodyText == Self.role, "no text yet: passes at once")
        provider.send(Self.chunk("The first window of text. "))
        #expect(response.bodyText == Self.role, "text waits for the service")
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 2)
        let first = harness.upstream.last
        #expect(first.requestBodyText == #"{"input":["The first window of text. "]}"#)
        provider.send(Self.chunk("And the second one follows. "))
        provider.send(Self.chunk("More."))
        #expect(provider.paused, "a full window waits behind the call: the upstream waits")
        Self.allow(first, harness)
        #expect(response.bodyText == Self.role + Self.chunk("The first window of text. "))
        harness.scheduler.advance(by: .zero)
        let second = harness.upstream.last
        #expect(second.requestBodyText == #"{"input":["And the second one follows. "]}"#, "the paused piece was not consumed")
        #expect(!provider.paused)
        provider.send("data: [DONE]\n\n")
        provider.finish()
        #expect(!response.finished, "the end waits for the last verdict")
        Self.allow(second, harness)
        harness.scheduler.advance(by: .zero)
        let last = harness.upstream.last
        #expect(last.requestBodyText == #"{"input":["More."]}"#)
        #expect(!response.finished)
        Self.allow(last, harness)
        #expect(response.finished)
        #expect(response.bodyText == Self.role + Self.chunk("The first window of text. ") + Self.chunk("And the second one follows. ")
                + Self.chunk("More.") + "data: [DONE]\n\n")
        #expect(harness.metric(#"sluice_guard_moderation_duration_seconds_count{guard="g",phase="response"}"#) == 3)
    }

    @Test func aClientThatLeavesWhileTheEndWaitsCancelsTheCall() throws {
        let harness = try SessionHarness(config: Self.config)
        let (session, response) = harness.request(body: #"{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}"#)
        let provider = harness.upstream.last
        provider.head(200, ["content-type": "text/event-stream"])
        provider.send(Self.chunk("short") + "data: [DONE]\n\n")
        provider.finish()
        harness.scheduler.advance(by: .zero)
        let call = harness.upstream.last
        #expect(call.requestBodyText == #"{"input":["short"]}"#)
        session.connectionClosed()
        #expect(call.cancelled)
        #expect(!response.bodyText.contains("short"))
    }

    @Test func aWholeAnswerIsAskedOnceAndWithheldWhenFlagged() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, response) = harness.request(body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#)
        let provider = harness.upstream.last
        provider.head(200)
        provider.send(#"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"something awful"},"finish_reason":"stop"}]}"#)
        provider.finish()
        #expect(response.head == nil, "nothing is written before the verdict")
        harness.scheduler.advance(by: .zero)
        let call = harness.upstream.last
        #expect(call.requestBodyText == #"{"input":["something awful"]}"#)
        call.head(200)
        call.send(#"{"results":[{"flagged":true}]}"#)
        call.finish()
        harness.scheduler.advance(by: .zero)
        #expect(response.finished && response.status == 200)
        #expect(response.bodyText == #"{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Flagged."},"finish_reason":"content_filter"}]}"#)
        #expect(response.contentLength == response.body.count)
    }
}
