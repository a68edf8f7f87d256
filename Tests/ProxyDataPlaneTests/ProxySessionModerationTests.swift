@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a guard's moderation hook, called before the provider: allows, flags, fails open
/// or closed, and a client that leaves cancels the call.
@Suite struct ProxySessionModerationTests {
    static func config(failMode: String = "closed") -> String {
        Configs.twoBackends(extra: #"""
            , "guards": [{"name": "g", "rules": [
                {"name": "pii", "detectors": ["email"], "action": "redact", "replacement": "[email]"},
                {"name": "moderated", "moderation": {"url": "http://127.0.0.1:9/v1/moderations", "timeout": "1s", "failMode": "\#(failMode)"},
                 "action": "block", "message": "Flagged."}]}]
            """#)
    }

    static let body = #"{"model":"gpt-4o-mini","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi bob@example.org"}]}"#

    @Test func anAllowedPromptGoesOnAfterTheCallWithTheRedactedTextSent() throws {
        let harness = try SessionHarness(config: Self.config())
        harness.request(body: Self.body)
        let call = harness.upstream.last
        #expect(call.request.url == "http://127.0.0.1:9/v1/moderations")
        #expect(call.requestBodyText == #"{"input":["hi [email]"]}"#, "checked texts only, after redaction")
        #expect(harness.upstream.transfers.count == 1, "the provider waits for the verdict")
        call.head(200)
        call.send(#"{"id":"m","model":"omni-moderation-latest","results":[{"flagged":false,"categories":{}}]}"#)
        call.finish()
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 2)
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/v1/chat/completions")
        #expect(harness.upstream.last.requestBodyText.contains("hi [email]"))
        #expect(harness.metric(#"sluice_guard_moderation_duration_seconds_count{guard="g",phase="request"}"#) == 1)
    }

    @Test(arguments: [("authorization", "Bearer sk-mod-1"), ("api-key", "sk-mod-1")])
    func theGuardsKeyGoesInItsHeaderAndTheRulesThresholdsJudgeTheScores(header: String, value: String) throws {
        let config = Configs.twoBackends(extra: #"""
            , "guards": [{"name": "g", "rules": [
                {"name": "moderated", "moderation": {"url": "http://127.0.0.1:9/v1/moderations", "thresholds": {"hate": 0.5},
                 "credentials": {"file": "moderation/key", "header": "\#(header)"}}, "action": "block", "message": "Flagged."}]}]
            """#)
        let harness = try SessionHarness(config: config, secrets: ["moderation/key": "sk-mod-1\n"])
        harness.request(body: Self.body)
        let call = harness.upstream.last
        #expect(call.request.headers.first(header) == value)
        call.head(200)
        // The service flags (its own threshold is lower); the rule's 0.5 is not passed.
        call.send(#"{"results":[{"flagged":true,"categories":{"hate":true},"category_scores":{"hate":0.49}}]}"#)
        call.finish()
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 2, "allowed: the provider is called")
    }

    @Test func aFlaggedPromptIsBlockedAndNeverReachesTheProvider() throws {
        let harness = try SessionHarness(config: Self.config())
        let (_, response) = harness.request(body: Self.body)
        let call = harness.upstream.last
        call.head(200)
        call.send(#"{"results":[{"flagged":false},{"flagged":true}]}"#)
        call.finish()
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 1)
        #expect(response.status == 200 && response.bodyText.contains(#""content":"Flagged.""#))
        #expect(harness.metric(#"sluice_guard_decisions_total{guard="g",rule="moderated",phase="request",action="block"}"#) == 1)
    }

    @Test(arguments: [("closed", 1), ("open", 2)])
    func aFailedCallFollowsTheFailMode(failMode: String, transfers: Int) throws {
        let harness = try SessionHarness(config: Self.config(failMode: failMode))
        let (_, response) = harness.request(body: Self.body)
        harness.upstream.last.finish(.totalTimeout)
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == transfers)
        if failMode == "closed" { #expect(response.bodyText.contains(#""content":"Flagged.""#)) }
        #expect(harness.metric(#"sluice_guard_moderation_errors_total{guard="g",phase="request",kind="timeout"}"#) == 1)
    }

    @Test func anErrorStatusOrAnUnreadableAnswerIsAFailedCall() throws {
        for (status, answer, kind) in [(500, "{}", "status"), (200, #"{"results":"no"}"#, "invalid")] {
            let harness = try SessionHarness(config: Self.config(failMode: "open"))
            harness.request(body: Self.body)
            harness.upstream.last.head(status)
            harness.upstream.last.send(answer)
            harness.upstream.last.finish()
            harness.scheduler.advance(by: .zero)
            #expect(harness.upstream.transfers.count == 2)
            #expect(harness.metric(#"sluice_guard_moderation_errors_total{guard="g",phase="request",kind="\#(kind)"}"#) == 1)
        }
    }

    @Test func aClientThatLeavesCancelsTheCall() throws {
        let harness = try SessionHarness(config: Self.config())
        let (session, _) = harness.request(body: Self.body)
        session.connectionClosed()
        #expect(harness.upstream.last.cancelled)
        harness.scheduler.advance(by: .seconds(5))
        #expect(harness.upstream.transfers.count == 1)
    }
}
