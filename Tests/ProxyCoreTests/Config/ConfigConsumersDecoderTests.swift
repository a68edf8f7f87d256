import Testing
@testable import ProxyCore

/// `consumers[]` and `authentication`: defaults, every field, precise errors, round trip.
@Suite struct ConfigConsumersDecoderTests {
    static var decoder: ProxyConfigDecoder { ProxyConfigDecoder(fileExists: { configTestSecrets.contains($0) || ["keys/search", "keys/support"].contains($0) }) }

    static let full = #"""
        "consumers": [
          {"name": "search", "keysDirectory": "keys/search", "allowedModels": ["gpt-4o*", "deepseek-chat"],
           "rateLimits": {"requestsPerSecond": 5, "requestsPerMinute": 600, "requestsPerHour": 10000, "requestsPerDay": 100000,
                          "tokensPerSecond": 1000, "tokensPerMinute": 40000, "tokensPerHour": 1000000, "tokensPerDay": 9000000,
                          "tokenCounting": "output"},
           "quotas": {"tokensPerDay": 5000000, "tokensPerMonth": 90000000, "costPerDay": 12.5, "costPerMonth": 300, "currency": "USD"},
           "estimatedOutputTokens": 512, "midStreamExhaustion": "finish",
           "models": [{"match": "gpt-4o", "rateLimits": {"requestsPerMinute": 10, "tokensPerMinute": 5000, "tokenCounting": "input"},
                       "quotas": {"costPerDay": 2.5}},
                      {"match": "deepseek-*", "quotas": {"tokensPerDay": 1000}}]},
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
                           rateLimits: RequestRateLimits(perSecond: 5, perMinute: 600, perHour: 10_000, perDay: 100_000),
                           tokenLimits: TokenRateLimits(perSecond: 1_000, perMinute: 40_000, perHour: 1_000_000, perDay: 9_000_000,
                                                        counting: .output),
                           quotas: ConsumerQuotas(tokensPerDay: 5_000_000, tokensPerMonth: 90_000_000, costPerDay: 12.5, costPerMonth: 300),
                           estimatedOutputTokens: 512, midStreamExhaustion: .finish, models: [
                               ModelLimitsConfig(match: "gpt-4o", rateLimits: RequestRateLimits(perMinute: 10),
                                                 tokenLimits: TokenRateLimits(perMinute: 5_000, counting: .input), quotas: ConsumerQuotas(costPerDay: 2.5)),
                               ModelLimitsConfig(match: "deepseek-*", quotas: ConsumerQuotas(tokensPerDay: 1_000)),
                           ]),
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
         #"consumers[0].keys: unknown field; expected one of "name", "keysDirectory", "allowedModels", "rateLimits", "quotas", "estimatedOutputTokens", "midStreamExhaustion", "priority", "models""#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "rateLimits": {"tokensPerMinute": -1}}]"#,
         "consumers[0].rateLimits.tokensPerMinute: -1 is not a positive integer"),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "rateLimits": {"tokenCounting": "both"}}]"#,
         #"consumers[0].rateLimits.tokenCounting: "both" is not one of "input", "output", "total""#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "quotas": {"costPerMonth": 0}}]"#,
         "consumers[0].quotas.costPerMonth: 0 is not a positive number"),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "quotas": {"costPerDay": 2000000}}]"#,
         "consumers[0].quotas.costPerDay: 2000000 is greater than the maximum 1000000"),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "quotas": {"tokensPerWeek": 5}}]"#,
         #"consumers[0].quotas.tokensPerWeek: unknown field; expected one of "tokensPerDay", "tokensPerMonth", "costPerDay", "costPerMonth", "currency""#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "midStreamExhaustion": "stop"}]"#,
         #"consumers[0].midStreamExhaustion: "stop" is not one of "cut", "finish""#),
        (#""consumers": [{"name": "a", "keysDirectory": "keys/search", "estimatedOutputTokens": 0}]"#,
         "consumers[0].estimatedOutputTokens: 0 is not a positive integer"),
        (#""authentication": {"allowAnonymous": "yes"}"#, #"authentication.allowAnonymous: expected true or false, found "yes""#),
    ])
    func aBadConsumerFieldIsReportedWhereItIs(extra: String, issue: String) {
        #expect(configIssues(configText(extra: extra), decoder: Self.decoder) == [issue])
    }

    static func overrides(_ models: String, allowed: String = "") -> String {
        #""consumers": [{"name": "a", "keysDirectory": "keys/search", \#(allowed)"models": \#(models)}]"#
    }

    @Test(arguments: [
        (overrides("[]"), "consumers[0].models: expected at least one override; omit the field for none"),
        (overrides(#"[{"match": "gpt-4o"}]"#), "consumers[0].models[0]: sets no limit; give it rateLimits or quotas (or remove it)"),
        (overrides(#"[{"rateLimits": {"requestsPerMinute": 1}}]"#), "consumers[0].models[0].match: required field is missing"),
        (overrides(#"[{"match": "gpt 4o", "rateLimits": {"requestsPerMinute": 1}}]"#),
         #"consumers[0].models[0].match: "gpt 4o" is not a model name or glob: " " is not allowed (use "*" and "?" as wildcards)"#),
        (overrides(#"[{"match": "gpt-[45]o", "rateLimits": {"requestsPerMinute": 1}}]"#),
         #"consumers[0].models[0].match: "gpt-[45]o" is not a model name or glob: "[" is not allowed (use "*" and "?" as wildcards)"#),
        (overrides(#"[{"match": "gpt-4o*", "rateLimits": {"requestsPerMinute": 1}}, {"match": "gpt-4o*", "quotas": {"tokensPerDay": 5}}]"#),
         #"consumers[0].models[1].match: duplicate match "gpt-4o*" (first used by consumers[0].models[0]); one override per pattern"#),
        (overrides(#"[{"match": "llama-3", "rateLimits": {"requestsPerMinute": 1}}]"#, allowed: #""allowedModels": ["gpt-*"], "#),
         #"consumers[0].models[0].match: model "llama-3" is outside this consumer's allowedModels, so the override could never apply"#),
        (overrides(#"[{"match": "gpt-4o", "rateLimits": {"requestsPerMinute": 0}}]"#),
         "consumers[0].models[0].rateLimits.requestsPerMinute: 0 is not a positive integer"),
        (overrides(#"[{"match": "gpt-4o", "priority": "high", "rateLimits": {"requestsPerMinute": 1}}]"#),
         #"consumers[0].models[0].priority: unknown field; expected one of "match", "rateLimits", "quotas""#),
        (#""authentication": {"allowAnonymous": true, "anonymous": {"models": []}}"#,
         #"authentication.anonymous.models: unknown field; expected one of "rateLimits", "quotas", "estimatedOutputTokens", "midStreamExhaustion", "priority""#),
    ])
    func aBadPerModelOverrideIsReportedWhereItIs(extra: String, issue: String) {
        #expect(configIssues(configText(extra: extra), decoder: Self.decoder) == [issue])
    }

    @Test func aPerModelOverrideCanBeAGlobOutsideNoAllowedModel() throws {
        let config = try decodeValidConfig(configText(extra: Self.overrides(#"[{"match": "*", "quotas": {"tokensPerDay": 5}}]"#,
                                                                           allowed: #""allowedModels": ["gpt-*"], "#)),
                                           decoder: Self.decoder)
        #expect(config.consumers[0].models.map(\.match) == ["*"], "globs are not checked against allowedModels")
    }


    @Test func aCostQuotaInAnotherCurrencyThanAPriceIsRefused() {
        let backends = #"""
            {"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1", "credentials": {"file": "openai-key"},
             "prices": {"gpt-4o-mini": {"input": 0.15, "output": 0.6}}}
            """#
        let extra = #""consumers": [{"name": "a", "keysDirectory": "keys/search", "quotas": {"costPerDay": 5, "currency": "EUR"}}]"#
        #expect(configIssues(configText(extra: extra, backends: backends, routes: #"{"name": "d", "split": [{"backend": "openai", "weight": 1}]}"#),
                             decoder: Self.decoder)
            == [#"consumers[0].quotas.currency: cost quotas count "EUR" but backend "openai" prices model "gpt-4o-mini" in "USD"; use one currency"#])
    }

    @Test func anonymousLimitsDecodeRoundTripAndAreRefusedWhereTheyCouldNeverApply() throws {
        let extra = #""authentication": {"anonymous": {"rateLimits": {"requestsPerMinute": 60, "tokensPerMinute": 1000}, "quotas": {"tokensPerDay": 5000}}}"#
        let config = try decodeValidConfig(configText(extra: extra), decoder: Self.decoder)
        #expect(config.authentication.anonymous == ConsumerConfig(name: "anonymous", keysDirectory: "", rateLimits: RequestRateLimits(perMinute: 60),
                                                                    tokenLimits: TokenRateLimits(perMinute: 1_000), quotas: ConsumerQuotas(tokensPerDay: 5_000)))
        #expect(config.meteredParties.map(\.name) == ["anonymous"])
        #expect(try Self.decoder.decode(ProxyConfigEncoder.text(config)) == config)
        let unreachable = #""consumers": [{"name": "a", "keysDirectory": "keys/search"}], "authentication": {"anonymous": {"quotas": {"tokensPerDay": 5}}}"#
        #expect(configIssues(configText(extra: unreachable), decoder: Self.decoder)
            == ["authentication.anonymous: anonymous limits never apply: consumers are configured and allowAnonymous is false, so every request needs a key; set allowAnonymous or remove them"])
        #expect(configIssues(configText(extra: #""authentication": {"anonymous": {"keysDirectory": "x"}}"#), decoder: Self.decoder)
            == [#"authentication.anonymous.keysDirectory: unknown field; expected one of "rateLimits", "quotas", "estimatedOutputTokens", "midStreamExhaustion", "priority""#])
    }
}
