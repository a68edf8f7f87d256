import Testing
@testable import ProxyCore

@Suite struct ConfigDecoderTests {
    @Test func minimalConfigGetsDocumentedDefaults() throws {
        let config = try decodeValidConfig(configText())
        #expect(config.listeners.app == ListenerAddress(host: "127.0.0.1", port: 4000))
        #expect(config.listeners.admin == ListenerAddress(host: "127.0.0.1", port: 4001))
        #expect(config.listeners.metrics == ListenerAddress(host: "0.0.0.0", port: 4090))
        #expect(config.defaults.maxRequestBodyBytes == 8_388_608)
        #expect(config.defaults.timeouts == TimeoutsConfig.default)
        #expect(config.defaults.timeouts.total == .seconds(600))
        #expect(config.backends.map(\.name) == ["openai", "deepseek"])
        #expect(config.backends[0].credentials == CredentialsConfig(file: "openai-key", header: .authorization))
        #expect(config.backends[0].tls == nil)
        #expect(config.routes[0].isCatchAll)
    }

    @Test func everyFieldDecodes() throws {
        let config = try decodeValidConfig(configText(
            extra: #""listeners": {"app": "127.0.0.1:0", "admin": "[::1]:4001", "metrics": "0.0.0.0:9090"}, "defaults": {"timeouts": {"connect": "500ms", "total": "1h"}, "maxRequestBodyBytes": 1024}"#,
            backends: #"{"name": "azure", "provider": "azure-openai", "baseURL": "https://x.openai.azure.com/openai", "credentials": {"file": "dir/nested-key"}, "timeouts": {"firstByte": "20s", "idle": "1m30s"}, "tls": {"caFile": "ca.pem"}, "maxConcurrentRequests": 64}, {"name": "claude", "provider": "anthropic", "baseURL": "https://api.anthropic.com", "credentials": {"file": "openai-key"}}, {"name": "local", "provider": "vllm", "baseURL": "http://10.0.0.5:8000/v1"}"#,
            routes: #"{"name": "r1", "match": {"paths": ["/v1/chat/completions", "/v1/completions"], "model": {"regex": "gpt-4o(-mini)?"}, "headers": [{"name": "x-team", "exact": "search"}, {"name": "x-debug", "present": false}, {"name": "x-tier", "regex": "gold|silver"}]}, "split": [{"backend": "azure", "weight": 3, "model": "gpt-4o"}, {"backend": "claude", "weight": 0}], "sticky": {"header": "x-user-id"}}, {"name": "r2", "match": {"models": ["a", "b"]}, "split": [{"backend": "local", "weight": 1}]}"#))
        #expect(config.listeners.app.port == 0)
        #expect(config.listeners.admin.isIPv6 && config.listeners.admin.isLoopback)
        #expect(config.defaults.timeouts == TimeoutsConfig(connect: .milliseconds(500), firstByte: .seconds(60), idle: .seconds(30), total: .seconds(3600)))
        #expect(config.defaults.maxRequestBodyBytes == 1024)
        let azure = config.backends[0]
        #expect(azure.provider == .azureOpenAI)
        #expect(azure.credentials?.header == .apiKey)
        #expect(azure.credentials?.files == ["dir/nested-key"])
        #expect(azure.tls == TLSConfig(caFile: "ca.pem"))
        #expect(azure.maxConcurrentRequests == 64)
        #expect(config.timeouts(for: azure) == TimeoutsConfig(connect: .milliseconds(500), firstByte: .seconds(20), idle: .seconds(90), total: .seconds(3600)))
        #expect(config.backends[1].credentials?.header == .xAPIKey)
        #expect(config.backends[2].credentials == nil)
        #expect(config.backends[2].baseURL.effectivePort == 8000)
        let route = config.routes[0]
        #expect(route.match?.paths == ["/v1/chat/completions", "/v1/completions"])
        #expect(route.match?.model == .regex("gpt-4o(-mini)?"))
        #expect(route.match?.headers == [
            HeaderMatch(name: "x-team", condition: .exact("search")),
            HeaderMatch(name: "x-debug", condition: .present(false)),
            HeaderMatch(name: "x-tier", condition: .regex("gold|silver")),
        ])
        #expect(route.split == [SplitEntryConfig(backend: "azure", weight: 3, model: "gpt-4o"), SplitEntryConfig(backend: "claude", weight: 0)])
        #expect(route.sticky == StickyConfig(header: "x-user-id"))
        #expect(config.routes[1].match?.model == .oneOf(["a", "b"]))
    }

    @Test func encodingThenDecodingGivesTheSameConfig() throws {
        let original = try decodeValidConfig(configText(
            extra: #""defaults": {"timeouts": {"idle": "45s"}}"#,
            routes: #"{"name": "g", "match": {"model": {"glob": "gpt-*"}, "headers": [{"name": "x-a", "present": true}]}, "split": [{"backend": "openai", "weight": 9}, {"backend": "deepseek", "weight": 1, "model": "deepseek-chat"}], "sticky": {"header": "x-user-id"}}, {"name": "p", "match": {"model": {"prefix": "o1"}}, "split": [{"backend": "openai", "weight": 1}]}, \#(configTestRoutes)"#))
        let bytes = JSONWriter.write(original.jsonValue, options: [.pretty, .canonical])
        let again = try configTestDecoder.decode(bytes)
        #expect(again == original)
        #expect(configTestDecoder.validate(original).isEmpty)
    }

    @Test func validateReportsProblemsOfConfigsBuiltInCode() throws {
        let config = ProxyConfig(
            backends: [BackendConfig(name: "a", provider: .openai, baseURL: try BackendURL.parse("https://a.example").get())],
            routes: [RouteConfig(name: "r", split: [SplitEntryConfig(backend: "b", weight: 1)])])
        #expect(configTestDecoder.validate(config).map(\.description) == [#"routes[0].split[0].backend: unknown backend "b"; defined backends are "a""#])
    }

    @Test func fileExistsIsAskedOnlyForPathsInsideTheSecretsDirectory() {
        var asked: [String] = []
        let decoder = ProxyConfigDecoder(fileExists: { asked.append($0); return true })
        _ = configIssues(configText(backends: #"{"name": "a", "provider": "openai", "baseURL": "https://a.example", "credentials": {"file": "../../etc/shadow"}, "tls": {"caFile": "ca/internal.pem"}}"#,
                                    routes: #"{"name": "r", "split": [{"backend": "a", "weight": 1}]}"#), decoder: decoder)
        #expect(asked == ["ca/internal.pem"])
    }
}
