import Testing
@testable import ProxyCore

/// The backend fields of provider translation: defaults, values, round trip.
@Suite struct ConfigProviderFieldsTests {
    static let backends = #"""
        {"name": "claude", "provider": "anthropic", "baseURL": "https://api.anthropic.com/v1", "defaultMaxTokens": 8192},
        {"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1"}
        """#

    @Test func defaultMaxTokensIsReadAndSurvivesEncoding() throws {
        let config = try decodeValidConfig(configText(backends: Self.backends))
        #expect(config.backends[0].defaultMaxTokens == 8192)
        #expect(config.backends[1].defaultMaxTokens == nil, "the standard default applies")
        let again = try decodeValidConfig(ProxyConfigEncoder.text(config))
        #expect(again == config)
    }
}

extension ConfigProviderFieldsTests {
    @Test func azureAddressingIsReadAndSurvivesEncoding() throws {
        let backend = #"{"name": "azure", "provider": "azure-openai", "baseURL": "https://contoso.openai.azure.com", "azure": {"apiVersion": "2025-01-01-preview", "deployments": {"gpt-4o": "prod-gpt4o"}}}"#
        let config = try decodeValidConfig(configText(backends: backend, routes: #"{"name": "r", "split": [{"backend": "azure", "weight": 1}]}"#))
        #expect(config.backends[0].azure == AzureConfig(apiVersion: "2025-01-01-preview", deployments: ["gpt-4o": "prod-gpt4o"]))
        #expect(try decodeValidConfig(ProxyConfigEncoder.text(config)) == config)
    }

    @Test func aDeploymentForAModelOutsideTheMapIsTheModelAsOnePathSegment() {
        let azure = AzureConfig(apiVersion: "2024-10-21", deployments: ["gpt-4o": "prod"])
        #expect(azure.deployment(for: "gpt-4o") == "prod")
        #expect(azure.deployment(for: "gpt-4o-mini") == "gpt-4o-mini")
        #expect(azure.deployment(for: "a/b c") == "a%2Fb%20c")
    }
}

extension ConfigProviderFieldsTests {
    @Test func severalKeyFilesAndACooldownAreReadAndSurviveEncoding() throws {
        let backend = #"{"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1", "credentials": {"files": ["openai-key", "deepseek-key"], "cooldown": "5m"}}"#
        let config = try decodeValidConfig(configText(backends: backend))
        #expect(config.backends[0].credentials == CredentialsConfig(files: ["openai-key", "deepseek-key"], header: .authorization, cooldown: .seconds(300)))
        #expect(try decodeValidConfig(ProxyConfigEncoder.text(config)) == config)
    }
}
