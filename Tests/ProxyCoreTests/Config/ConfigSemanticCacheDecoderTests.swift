import Testing
@testable import ProxyCore

/// `routes[].cache.semantic`: defaults, every field, precise errors, round trip.
@Suite struct ConfigSemanticCacheDecoderTests {
    static let backends = configTestBackends
        + #", {"name": "embedder", "provider": "openai-compatible", "baseURL": "http://127.0.0.1:8080/v1"}"#
        + #", {"name": "claude", "provider": "anthropic", "baseURL": "https://api.anthropic.com/v1"}"#

    static func text(_ semantic: String) -> String {
        configText(backends: backends, routes: ConfigCacheDecoderTests.route(#"{"semantic": \#(semantic)}"#))
    }

    @Test func aSemanticTierNeedsOnlyItsBackendAndModel() throws {
        let config = try decodeValidConfig(Self.text(#"{"backend": "embedder", "model": "bge"}"#))
        #expect(config.routes[0].cache?.semantic == SemanticCacheConfig(backend: "embedder", model: "bge"))
        #expect(config.routes[0].cache?.semantic?.threshold == 0.95 && config.routes[0].cache?.semantic?.timeout == .milliseconds(500))
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(config)) == config)
    }

    @Test func everyFieldDecodesAndRoundTrips() throws {
        let config = try decodeValidConfig(Self.text(
            #"{"backend": "embedder", "model": "bge", "threshold": 0.9, "embed": "conversation", "maxEntries": 500, "timeout": "2s"}"#))
        #expect(config.routes[0].cache?.semantic == SemanticCacheConfig(backend: "embedder", model: "bge", threshold: 0.9, embed: .conversation,
                                                                        maxEntries: 500, timeout: .seconds(2)))
        #expect(try configTestDecoder.decode(ProxyConfigEncoder.text(config)) == config)
    }

    @Test(arguments: [
        (#"{"model": "bge"}"#, "routes[0].cache.semantic.backend: required field is missing"),
        (#"{"backend": "embeder", "model": "bge"}"#,
         #"routes[0].cache.semantic.backend: unknown backend "embeder"; defined backends are "openai", "deepseek", "embedder", "claude""#),
        (#"{"backend": "claude", "model": "bge"}"#,
         #"routes[0].cache.semantic.backend: backend "claude" is an anthropic backend; the semantic tier needs OpenAI's /v1/embeddings"#),
        (#"{"backend": "embedder", "model": "bge", "threshold": 0}"#,
         "routes[0].cache.semantic.threshold: 0 is not a similarity; expected a number greater than 0 and at most 1"),
        (#"{"backend": "embedder", "model": "bge", "threshold": 1.5}"#,
         "routes[0].cache.semantic.threshold: 1.5 is not a similarity; expected a number greater than 0 and at most 1"),
        (#"{"backend": "embedder", "model": "bge", "embed": "all"}"#,
         #"routes[0].cache.semantic.embed: "all" is not one of "lastUserMessage", "conversation""#),
        (#"{"backend": "embedder", "model": "bge", "maxEntries": 20001}"#,
         "routes[0].cache.semantic.maxEntries: 20001 is greater than the maximum 20000"),
        (#"{"backend": "embedder", "model": "bge", "timeout": "31s"}"#, "routes[0].cache.semantic.timeout: must be at most 30s"),
        (#"{"backend": "embedder", "model": "bge", "k": 3}"#,
         #"routes[0].cache.semantic.k: unknown field; expected one of "backend", "model", "threshold", "embed", "maxEntries", "timeout""#),
    ])
    func badSemanticFieldsAreNamed(semantic: String, issue: String) {
        #expect(configIssues(Self.text(semantic)) == [issue])
    }
}
