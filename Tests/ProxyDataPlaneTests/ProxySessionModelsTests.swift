@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: `GET /v1/models` and `/v1/models/{id}` are answered from the config, never upstream.
@Suite struct ProxySessionModelsTests {
    @Test func theModelListNamesEveryModelARouteServesByName() throws {
        let harness = try SessionHarness(config: ProxySessionTranslationTests.config())
        let (_, response) = harness.request(.get, "/v1/models", body: "")
        #expect(harness.upstream.transfers.isEmpty)
        #expect(response.status == 200)
        #expect(response.bodyText == #"{"object":"list","data":[{"id":"claude-haiku-4-5","object":"model","created":0,"owned_by":"sluice"},{"id":"gpt-4o-mini","object":"model","created":0,"owned_by":"sluice"}]}"#)
    }

    @Test func anAnthropicClientGetsAnthropicsListShape() throws {
        let harness = try SessionHarness(config: ProxySessionTranslationTests.config())
        let (_, response) = harness.request(.get, "/v1/models", headers: ["anthropic-version": "2023-06-01"], body: "")
        #expect(response.bodyText == #"{"data":[{"type":"model","id":"claude-haiku-4-5","display_name":"claude-haiku-4-5","created_at":"1970-01-01T00:00:00Z"},{"type":"model","id":"gpt-4o-mini","display_name":"gpt-4o-mini","created_at":"1970-01-01T00:00:00Z"}],"has_more":false,"first_id":"claude-haiku-4-5","last_id":"gpt-4o-mini"}"#)
    }

    @Test func oneModelIsAnsweredAndAnUnknownOneIsA404InTheClientsShape() throws {
        let harness = try SessionHarness(config: ProxySessionTranslationTests.config())
        let (_, known) = harness.request(.get, "/v1/models/gpt-4o-mini", body: "")
        #expect(known.bodyText == #"{"id":"gpt-4o-mini","object":"model","created":0,"owned_by":"sluice"}"#)
        let (_, unknown) = harness.request(.get, "/v1/models/gpt-5", body: "")
        #expect(unknown.status == 404)
        #expect(unknown.bodyText.contains(#""code":"model_not_found""#))
        let (_, anthropic) = harness.request(.get, "/v1/models/gpt-5", headers: ["anthropic-version": "2023-06-01"], body: "")
        #expect(anthropic.bodyText == #"{"type":"error","error":{"type":"not_found_error","message":"no route serves model \"gpt-5\""}}"#)
        #expect(harness.upstream.transfers.isEmpty)
    }

    @Test func aConsumerSeesOnlyTheModelsItMayUse() throws {
        let config = Configs.twoBackends(extra: Configs.consumers)
            .replacingFirst(#""baseURL": "http://127.0.0.1:9/v1","#, with: #""baseURL": "http://127.0.0.1:9/v1", "models": {"gpt-4o-mini": "gpt-4o-mini-2024", "o3": "o3-2025"},"#)
        let harness = try SessionHarness(config: config, secrets: Configs.consumerKeys)
        let (_, search) = harness.request(.get, "/v1/models", headers: ["authorization": "Bearer sk-search-1"], body: "")
        #expect(search.bodyText == #"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model","created":0,"owned_by":"sluice"}]}"#)
        let (_, support) = harness.request(.get, "/v1/models", headers: ["authorization": "Bearer sk-support"], body: "")
        #expect(support.bodyText.contains(#""id":"o3""#))
        let (_, denied) = harness.request(.get, "/v1/models/o3", headers: ["authorization": "Bearer sk-search-1"], body: "")
        #expect(denied.status == 404)
    }

    @Test func anAnthropicClientPagesThroughTheListWithLimitAndCursors() throws {
        let harness = try SessionHarness(config: ProxySessionTranslationTests.config())
        let anthropic: HTTPHeaders = ["anthropic-version": "2023-06-01"]
        let (_, first) = harness.request(.get, "/v1/models?limit=1", headers: anthropic, body: "")
        #expect(first.bodyText == #"{"data":[{"type":"model","id":"claude-haiku-4-5","display_name":"claude-haiku-4-5","created_at":"1970-01-01T00:00:00Z"}],"has_more":true,"first_id":"claude-haiku-4-5","last_id":"claude-haiku-4-5"}"#)
        let (_, next) = harness.request(.get, "/v1/models?limit=1&after_id=claude-haiku-4-5", headers: anthropic, body: "")
        #expect(next.bodyText.hasSuffix(#""has_more":false,"first_id":"gpt-4o-mini","last_id":"gpt-4o-mini"}"#))
        let (_, back) = harness.request(.get, "/v1/models?before_id=gpt-4o-mini", headers: anthropic, body: "")
        #expect(back.bodyText.hasSuffix(#""has_more":false,"first_id":"claude-haiku-4-5","last_id":"claude-haiku-4-5"}"#))
        let (_, past) = harness.request(.get, "/v1/models?after_id=gpt-4o-mini", headers: anthropic, body: "")
        #expect(past.bodyText == #"{"data":[],"has_more":false,"first_id":null,"last_id":null}"#)
        let (_, bad) = harness.request(.get, "/v1/models?limit=0", headers: anthropic, body: "")
        #expect(bad.status == 400)
        #expect(bad.bodyText == #"{"type":"error","error":{"type":"invalid_request_error","message":"limit must be a whole number from 1 to 1000, not \"0\""}}"#)
        let (_, unknown) = harness.request(.get, "/v1/models?after_id=gpt-5", headers: anthropic, body: "")
        #expect(unknown.status == 400)
        let (_, openAI) = harness.request(.get, "/v1/models?limit=1", body: "")
        #expect(openAI.bodyText.contains("gpt-4o-mini"), "OpenAI's list has no paging: its query is not read")
    }
}
