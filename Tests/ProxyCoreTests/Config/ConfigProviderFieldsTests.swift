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
