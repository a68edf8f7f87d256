@testable import ProxyDataPlane
import ProxyCore
import ProxyUpstream
import Testing

/// Level 2: `auto` models choose the upstream per request, rewrite the model, fall back along
/// the ranking, learn live latency from first tokens, and say why.
@Suite struct ProxySessionAutoRoutingTests {
    /// small (cheap, 8k, no tools) < medium (tools, 128k) < large (tools, vision, 1M) by price.
    static let config = """
        {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
         "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
         "backends": [
           {"name": "a", "provider": "openai", "baseURL": "http://127.0.0.1:9/a/v1",
            "prices": {"small": {"input": 0.1, "output": 0.2}},
            "modelInfo": {"small": {"contextWindow": 8000}}},
           {"name": "b", "provider": "openai", "baseURL": "http://127.0.0.1:9/b/v1",
            "prices": {"medium": {"input": 1, "output": 2}},
            "modelInfo": {"medium": {"contextWindow": 128000, "capabilities": ["tools"]}}},
           {"name": "c", "provider": "openai", "baseURL": "http://127.0.0.1:9/c/v1",
            "prices": {"large": {"input": 5, "output": 15}},
            "modelInfo": {"large": {"contextWindow": 1000000, "capabilities": ["tools", "vision"], "tags": ["strong"]}}}
         ],
         "routes": [
           {"name": "auto", "match": {"models": ["auto"]}, "split": [{"backend": "a", "weight": 1}],
            "retry": {"attempts": 1},
            "auto": [{"name": "auto", "strategy": "cost-within-latency", "maxP95TimeToFirstToken": "500ms",
                      "classes": [{"name": "reasoning", "keywords": ["prove"], "requireTags": ["strong"]}]}]}
         ]}
        """
    static let answer = #"{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#

    static func chat(_ content: String = "hi", extra: String = "") -> String {
        #"{"model":"auto","messages":[{"role":"user","content":"\#(content)"}]\#(extra)}"#
    }

    @Test func anAutoRequestGoesToTheCheapestCapableModelWithItsModelRewritten() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, response) = harness.request(body: Self.chat())
        let transfer = harness.upstream.last
        #expect(transfer.request.url == "http://127.0.0.1:9/a/v1/chat/completions")
        #expect(transfer.requestBodyText == #"{"model":"small","messages":[{"role":"user","content":"hi"}]}"#)
        transfer.head(200)
        transfer.send(Self.answer)
        transfer.finish()
        #expect(response.status == 200)
        #expect(response.header("x-sluice-model") == "small")
        #expect(response.header("x-sluice-model-reason") == "cost-within-latency; 3 of 3 candidates")
        #expect(harness.metric(#"sluice_routing_decisions_total{route="auto",model="small",reason="cost-within-latency",class="none"}"#) == 1)
    }

    @Test func toolsSkipToolLessModelsAndAFallbackCrossesToTheNextCandidate() throws {
        let harness = try SessionHarness(config: Self.config)
        let tools = #","tools":[{"type":"function","function":{"name":"f"}}]"#
        let (_, response) = harness.request(body: Self.chat(extra: tools))
        let first = harness.upstream.last
        #expect(first.request.url == "http://127.0.0.1:9/b/v1/chat/completions")
        first.head(503)
        first.finish()
        harness.scheduler.advance(by: .zero)
        #expect(harness.upstream.transfers.count == 2)
        let second = harness.upstream.last
        #expect(second.request.url == "http://127.0.0.1:9/c/v1/chat/completions", "the ranking's next candidate")
        #expect(second.requestBodyText.hasPrefix(#"{"model":"large","#))
        second.head(200)
        second.send(Self.answer)
        second.finish()
        #expect(response.status == 200)
        #expect(response.header("x-sluice-backend") == "c")
        #expect(response.header("x-sluice-model") == "large")
        #expect(harness.metric(#"sluice_fallbacks_total{route="auto",from="b",to="c",reason="server_error"}"#) == 1)
    }

    @Test func aClassRuleSendsReasoningPromptsToTheStrongModel() throws {
        let harness = try SessionHarness(config: Self.config)
        let (_, response) = harness.request(body: Self.chat("Prove that this loop halts"))
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/c/v1/chat/completions")
        harness.upstream.last.head(200)
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect(response.header("x-sluice-model-reason") == "cost-within-latency; class reasoning; 1 of 3 candidates")
    }

    @Test func aModelThatTurnsSlowIsSkippedOnceItsLiveP95CountsAndReturnsLater() throws {
        let harness = try SessionHarness(config: Self.config)
        for _ in 0..<Int(EntryLiveWindow.minSamples) {
            let (_, response) = harness.request(body: Self.chat())
            let transfer = harness.upstream.last
            #expect(transfer.request.url == "http://127.0.0.1:9/a/v1/chat/completions")
            harness.scheduler.advance(by: .seconds(1))
            transfer.head(200)
            transfer.send(Self.answer)
            transfer.finish()
            #expect(response.status == 200)
        }
        let (_, response) = harness.request(body: Self.chat())
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/b/v1/chat/completions")
        harness.upstream.last.head(200)
        harness.upstream.last.send(Self.answer)
        harness.upstream.last.finish()
        #expect(response.header("x-sluice-model-reason") == "cost-within-latency; 2 of 3 candidates")
        // A minute later the slow samples have left the window: the cheap model is back.
        harness.scheduler.advance(by: .seconds(61))
        harness.request(body: Self.chat())
        #expect(harness.upstream.last.request.url == "http://127.0.0.1:9/a/v1/chat/completions")
    }

    @Test func aRequestNoModelCanServeIsAnsweredWithTheReasons() throws {
        let harness = try SessionHarness(config: Self.config)
        let image = #"[{"type":"text","text":"what is this"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]"#
        let body = #"{"model":"auto","max_tokens":2000000,"messages":[{"role":"user","content":\#(image)}]}"#
        let (_, response) = harness.request(body: body)
        #expect(harness.upstream.transfers.isEmpty)
        #expect(response.status == 400)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("no_capable_model"))
        #expect(text.contains("a/small: capability: needs vision"))
        #expect(text.contains("c/large: context: needs"))
        #expect(harness.metric(#"sluice_routing_decisions_total{route="auto",model="none",reason="no-candidate",class="none"}"#) == 1)
    }
}
