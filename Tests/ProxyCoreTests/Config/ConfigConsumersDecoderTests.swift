import Testing
@testable import ProxyCore

/// `consumers[]` and `authentication`: defaults, every field, precise errors, round trip.
@Suite struct ConfigConsumersDecoderTests {
    static var decoder: ProxyConfigDecoder { ProxyConfigDecoder(fileExists: { configTestSecrets.contains($0) || ["keys/search", "keys/support"].contains($0) }) }

    static let full = #"""
        "consumers": [
          {"name": "search", "keysDirectory": "keys/search", "allowedModels": ["gpt-4o*", "deepseek-chat"],
           "rateLimits": {"requestsPerSecond": 5, "requestsPerMinute": 600, "requestsPerHour": 10000, "requestsPerDay": 100000}},
          {"name": "support", "keysDirectory": "keys/support"}
        ],
        "authentication": {"allowAnonymous": true}
        """#

    @Test func withoutConsumersEveryRequestIsAnonymousAndAuthenticationDefaultsToRefusingAnonymous() throws {
        let config = try decodeValidConfig(configText())
        #expect(config.consumers.isEmpty)
        #expect(config.authentication == AuthenticationConfig(allowAnonymous: false))
    }

    @Test func everyConsumerFieldDecodes() throws {
        let config = try decodeValidConfig(configText(extra: Self.full), decoder: Self.decoder)
        #expect(config.consumers == [
            ConsumerConfig(name: "search", keysDirectory: "keys/search", allowedModels: ["gpt-4o*", "deepseek-chat"],
                           rateLimits: RequestRateLimits(perSecond: 5, perMinute: 600, perHour: 10_000, perDay: 100_000)),
            ConsumerConfig(name: "support", keysDirectory: "keys/support"),
        ])
        #expect(config.authentication.allowAnonymous)
    }

    @Test func theEncoderWritesConsumersSoTheDecoderReadsTheSameConfig() throws {
        let config = try decodeValidConfig(configText(extra: Self.full), decoder: Self.decoder)
        #expect(try Self.decoder.decode(ProxyConfigEncoder.text(config)) == config)
        let plain = try decodeValidConfig(configText())
        #expect(!ProxyConfigEncoder.text(plain).contains("consumers"), "no consumers, nothing written")
    }

    @Test(arguments: [
        (#""consumers": [{"name": "anonymous", "keysDirectory": "keys/search"}]"#,
         #"consumers[0].name: "anonymous" is reserved for requests without a consumer"#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search"}, {"name": "a", "keysDirectory": "keys/support"}]"#,
         #"consumers[1].name: duplicate consumer name "a" (first used by consumers[0])"#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/missing"}]"#,
         #"consumers[0].keysDirectory: "keys/missing" does not exist in the secrets directory"#),
        (#""consumers": [{"name": "a", "keysDirectory": "../etc"}]"#,
         #"consumers[0].keysDirectory: "../etc" is not a relative path inside the secrets directory"#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "allowedModels": []}]"#,
         "consumers[0].allowedModels: expected at least one model or glob; omit the field to allow every model"),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "rateLimits": {"requestsPerMinute": 0}}]"#,
         "consumers[0].rateLimits.requestsPerMinute: 0 is not a positive integer"),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "rateLimits": {"requestPerMinute": 5}}]"#,
         #"consumers[0].rateLimits.requestPerMinute: unknown field; did you mean "requestsPerMinute"?"#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "keys": []}]"#,
         #"consumers[0].keys: unknown field; expected one of "name", "keysDirectory", "allowedModels", "rateLimits""#),
        (#""authentication": {"allowAnonymous": "yes"}"#, #"authentication.allowAnonymous: expected true or false, found "yes""#),
    ])
    func aBadConsumerFieldIsReportedWhereItIs(extra: String, issue: String) {
        #expect(configIssues(configText(extra: extra), decoder: Self.decoder) == [issue])
    }
}
