@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: a chat attempt that passes through (the backend speaks the client's API) still
/// gives the client its errors in its API's shape: an error already in that shape is passed
/// byte for byte, anything else (a FastAPI `detail`, Azure's short body, a proxy's HTML page)
/// is rewritten with the provider's message kept.
@Suite struct ProxySessionPassThroughErrorTests {
    static let messages = #"{"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"Hi"}]}"#

    static func harness() throws -> SessionHarness {
        try SessionHarness(config: ProxySessionTranslationTests.config().replacingFirst(#""on": {"statuses": ["5xx"]}"#, with: #""on": {"statuses": [409]}"#)
            .replacingFirst(#""on": {"statuses": ["5xx"]}"#, with: #""on": {"statuses": [409]}"#))
    }

    /// The answer an OpenAI client gets when its OpenAI-style backend answers `status` with `body`.
    static func openAIClientGets(_ status: Int, _ body: String, headers: HTTPHeaders = ["content-type": "application/json"]) throws -> RecordingResponse {
        let harness = try harness()
        let (_, response) = harness.request(body: ProxySessionTranslationTests.chat)
        let upstream = harness.upstream.last
        #expect(upstream.request.url == "http://127.0.0.1:9/v1/chat/completions", "passes through")
        upstream.head(status, headers)
        upstream.send(body)
        upstream.finish()
        return response
    }

    @Test func deepSeeksDetailBodyIsRewrittenIntoOpenAIsShapeKeepingItsMessage() throws {
        let response = try Self.openAIClientGets(422, #"{"detail":"Failed to deserialize the JSON body into the target type: messages[0]: missing field `content`"}"#)
        #expect(response.status == 422)
        #expect(response.header("content-type") == "application/json")
        #expect(response.bodyText == #"{"error":{"message":"Failed to deserialize the JSON body into the target type: messages[0]: missing field `content`","type":"invalid_request_error","param":null,"code":null}}"#)
    }

    @Test func azuresShortRateLimitBodyGetsTheMembersItLacks() throws {
        let response = try Self.openAIClientGets(429, #"{"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation have exceeded the rate limit."}}"#)
        #expect(response.status == 429)
        #expect(response.bodyText == #"{"error":{"message":"Requests to the ChatCompletions_Create Operation have exceeded the rate limit.","type":"rate_limit_error","param":null,"code":"429"}}"#)
    }

    @Test func aProxysHTMLPageBecomesAnOpenAIErrorWithThePageAsItsMessage() throws {
        let response = try Self.openAIClientGets(502, "<html><body>502 Bad Gateway</body></html>", headers: ["content-type": "text/html"])
        #expect(response.status == 502)
        #expect(response.header("content-type") == "application/json")
        #expect(response.bodyText == #"{"error":{"message":"<html><body>502 Bad Gateway</body></html>","type":"api_error","param":null,"code":null}}"#)
    }

    @Test func anErrorAlreadyInOpenAIsShapeIsPassedByteForByte() throws {
        let original = #"{ "error": {"message": "The response was filtered", "type": null, "param": "prompt", "code": "content_filter", "status": 400, "innererror": {"code": "ResponsibleAIPolicyViolation"}} }"#
        let response = try Self.openAIClientGets(400, original)
        #expect(response.status == 400)
        #expect(response.bodyText == original)
    }

    @Test func anAnthropicClientOnAnAnthropicBackendGetsAPlainTextErrorInAnthropicsShape() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(.post, "/v1/messages", body: Self.messages)
        let upstream = harness.upstream.last
        #expect(upstream.request.url == "http://127.0.0.1:9/anthropic/v1/messages", "passes through")
        upstream.head(503, ["content-type": "text/plain"])
        upstream.send("upstream connect error or disconnect/reset before headers")
        upstream.finish()
        #expect(response.status == 503)
        #expect(response.bodyText == #"{"type":"error","error":{"type":"overloaded_error","message":"upstream connect error or disconnect/reset before headers"}}"#)
        let (_, shaped) = harness.request(.post, "/v1/messages", body: Self.messages)
        let original = #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"#
        harness.upstream.last.head(529, ["content-type": "application/json"])
        harness.upstream.last.send(original)
        harness.upstream.last.finish()
        #expect(shaped.status == 529)
        #expect(shaped.bodyText == original, "already in Anthropic's shape: untouched")
    }

    @Test func otherEndpointsPassTheirErrorsUntouched() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(.post, "/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":"x"}"#)
        harness.upstream.last.head(400, ["content-type": "application/json"])
        harness.upstream.last.send(#"{"detail":"bad input"}"#)
        harness.upstream.last.finish()
        #expect(response.bodyText == #"{"detail":"bad input"}"#)
    }
}
