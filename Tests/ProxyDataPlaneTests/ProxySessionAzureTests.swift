@testable import ProxyDataPlane
import ProxyCore
import Testing

/// Level 2: Azure OpenAI backends — the deployment URL, the `api-key` header, content filtering.
@Suite struct ProxySessionAzureTests {
    static let config = """
        {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
         "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
         "backends": [
           {"name": "azure", "provider": "azure-openai", "baseURL": "https://contoso.openai.azure.com",
            "credentials": {"file": "azure-key"},
            "azure": {"apiVersion": "2024-10-21", "deployments": {"gpt-4o": "prod-gpt4o"}}}
         ],
         "routes": [{"name": "r", "split": [{"backend": "azure", "weight": 1}], "retry": {"attempts": 2}}]}
        """

    static func harness() throws -> SessionHarness {
        try SessionHarness(config: config, secrets: ["azure-key": "azure-secret-0123456789"])
    }

    @Test func aChatRequestGoesToItsModelsDeploymentWithTheAPIVersionAndTheAPIKeyHeader() throws {
        let harness = try Self.harness()
        harness.request(.post, "/v1/chat/completions?trace=1", body: #"{"model":"gpt-4o","messages":[]}"#)
        let upstream = harness.upstream.last
        #expect(upstream.request.url == "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21&trace=1")
        #expect(upstream.header("api-key") == "azure-secret-0123456789")
        #expect(upstream.header("authorization") == nil)
        harness.request(.post, "/v1/embeddings", body: #"{"model":"text-embedding-3-small","input":"x"}"#)
        #expect(harness.upstream.last.request.url == "https://contoso.openai.azure.com/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21",
                "an unmapped model is its own deployment")
        harness.request(.post, "/v1/chat/completions", body: #"{"model":"../x?y","messages":[]}"#)
        #expect(harness.upstream.last.request.url == "https://contoso.openai.azure.com/openai/deployments/..%2Fx%3Fy/chat/completions?api-version=2024-10-21",
                "a model from the body stays one path segment")
    }

    @Test func anAnthropicClientOnAzureGetsAContentFilterStopAsARefusal() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(.post, "/v1/messages", body: #"{"model":"gpt-4o","max_tokens":32,"messages":[{"role":"user","content":"Hi"}]}"#)
        let upstream = harness.upstream.last
        #expect(upstream.request.url == "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21")
        upstream.head(200)
        upstream.send(#"{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"content_filter","content_filter_results":{"violence":{"filtered":true,"severity":"high"}}}],"usage":{"prompt_tokens":9,"completion_tokens":0,"total_tokens":9}}"#)
        upstream.finish()
        #expect(response.status == 200)
        #expect(response.bodyText.contains(#""stop_reason":"refusal""#))
    }

    @Test func azuresRetryAfterMillisecondsSetsTheWaitBeforeTheRetry() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(body: #"{"model":"gpt-4o","messages":[]}"#)
        harness.upstream.last.head(429, ["content-type": "application/json", "retry-after-ms": "1500",
                                         "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "1s"])
        harness.scheduler.advance(by: .milliseconds(1400))
        #expect(harness.upstream.transfers.count == 1, "waits the 1.5 s Azure asked for")
        harness.scheduler.advance(by: .milliseconds(200))
        #expect(harness.upstream.transfers.count == 2)
        harness.upstream.last.head(200)
        harness.upstream.last.send(ProxySessionAccountingTests.answer)
        harness.upstream.last.finish()
        #expect(response.status == 200)
    }

    @Test func anAzureContentFilterErrorReachesAnAnthropicClientInItsShape() throws {
        let harness = try Self.harness()
        let (_, response) = harness.request(.post, "/v1/messages", body: #"{"model":"gpt-4o","max_tokens":32,"messages":[{"role":"user","content":"Hi"}]}"#)
        harness.upstream.last.head(400)
        harness.upstream.last.send(#"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}}"#)
        harness.upstream.last.finish()
        #expect(response.status == 400)
        #expect(response.bodyText == #"{"type":"error","error":{"type":"invalid_request_error","message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy."}}"#)
    }

    @Test func warmupPingsGoToTheDeploymentAndUnderOpenAIWithTheAPIVersion() throws {
        let chat = Self.config.replacingFirst(#""credentials": {"file": "azure-key"},"#,
            with: #""credentials": {"file": "azure-key"}, "warmup": {"idleAfter": "1s", "interval": "1s", "chat": {"model": "gpt-4o"}},"#)
        let harness = try SessionHarness(config: chat, secrets: ["azure-key": "azure-secret-0123456789"])
        let driver = WarmupDriver(context: harness.loop)
        harness.scheduler.advance(by: .milliseconds(100))
        #expect(harness.upstream.last.request.url == "https://contoso.openai.azure.com/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21")
        #expect(harness.upstream.last.header("api-key") == "azure-secret-0123456789")
        let get = Self.config.replacingFirst(#""credentials": {"file": "azure-key"},"#,
            with: #""credentials": {"file": "azure-key"}, "warmup": {"idleAfter": "1s", "interval": "1s", "get": "/models"},"#)
        let getHarness = try SessionHarness(config: get, secrets: ["azure-key": "azure-secret-0123456789"])
        let getDriver = WarmupDriver(context: getHarness.loop)
        getHarness.scheduler.advance(by: .milliseconds(100))
        #expect(getHarness.upstream.last.request.url == "https://contoso.openai.azure.com/openai/models?api-version=2024-10-21")
        _ = (driver, getDriver)
    }
}
