import Foundation
import Testing
@testable import ProxyCore

/// `backends[].modelInfo` and `routes[].auto`: decoding, precise errors, the round trip.
@Suite struct ConfigRegistryDecoderTests {
    static let backends = """
        {"name": "a", "provider": "vllm", "baseURL": "http://127.0.0.1:9/v1",
         "prices": {"m1": {"input": 1, "output": 2}},
         "modelInfo": {"m1": {"contextWindow": 8000, "maxOutputTokens": 1000, "capabilities": ["tools", "long-context"], "tags": ["cheap"], "tier": 2}}},
        {"name": "b", "provider": "vllm", "baseURL": "http://127.0.0.1:9/v1",
         "prices": {"m2": {"input": 1, "output": 2, "currency": "EUR"}},
         "modelInfo": {"m2": {"contextWindow": 9000}}}
        """

    static func route(_ auto: String, match: String = #"{"models": ["auto"]}"#) -> String {
        #"{"name": "r", "match": \#(match), "split": [{"backend": "a", "weight": 1}], "auto": \#(auto)}"#
    }

    @Test func registryAndAutoModelsDecodeAndRoundTrip() throws {
        let auto = #"[{"name": "auto", "strategy": "cost-within-latency", "maxP95TimeToFirstToken": "1500ms", "candidates": [{"backend": "a", "model": "m1"}], "contextMarginPercent": 20, "classes": [{"name": "hard", "regex": "(?i)prove", "requireTags": ["cheap"], "minTier": 1}, {"name": "team", "header": {"name": "x-team", "present": true}, "minTier": 2}]}]"#
        let config = try decodeValidConfig(configText(backends: Self.backends, routes: Self.route(auto)))
        let info = try #require(config.backends[0].modelInfo["m1"])
        #expect(info == ModelInfoConfig(contextWindow: 8000, maxOutputTokens: 1000, capabilities: ModelCapabilities([.tools, .longContext]),
                                        tags: ["cheap"], tier: 2))
        let model = try #require(config.routes[0].auto.first)
        #expect(model.strategy == .costWithinLatency(maxP95: .milliseconds(1500)))
        #expect(model.candidates == [AutoCandidateConfig(backend: "a", model: "m1")])
        #expect(model.contextMarginPercent == 20)
        #expect(model.expectedOutputTokens == AutoModelConfig.defaultExpectedOutputTokens)
        #expect(model.classes.map(\.name) == ["hard", "team"])
        let again = try decodeValidConfig(ProxyConfigEncoder.text(config))
        #expect(again == config)
    }

    @Test func badRegistryEntriesNameTheirPath() {
        let backends = #"{"name": "a", "provider": "vllm", "baseURL": "http://127.0.0.1:9/v1", "modelInfo": {"m": {"maxOutputTokens": 10, "capabilities": ["telepathy"], "tier": 11, "color": 1}, "n": {"contextWindow": 10, "maxOutputTokens": 20}}}"#
        #expect(configIssues(configText(backends: backends, routes: #"{"name": "r", "split": [{"backend": "a", "weight": 1}]}"#)) == [
            #"backends[0].modelInfo.m.color: unknown field; expected one of "contextWindow", "maxOutputTokens", "capabilities", "tags", "tier""#,
            "backends[0].modelInfo.m.contextWindow: required field is missing",
            #"backends[0].modelInfo.m.capabilities[0]: "telepathy" is not one of "tools", "vision", "json", "reasoning", "long-context""#,
            "backends[0].modelInfo.m.tier: 11 is greater than the maximum 10",
            "backends[0].modelInfo.n.maxOutputTokens: 20 is larger than the context window 10",
        ])
    }

    @Test func badAutoModelsNameTheirPath() {
        let auto = #"[{"name": "auto", "strategy": "cost-within-latency"}, {"name": "auto", "strategy": "cost", "maxP95TimeToFirstToken": "1s", "candidates": [{"backend": "a", "model": "nope"}, {"backend": "zz", "model": "m1"}]}, {"name": "other", "strategy": "fast", "classes": [{"name": "c", "keywords": ["x"]}]}]"#
        let issues = configIssues(configText(backends: Self.backends, routes: Self.route(auto)))
        #expect(issues == [
            #"routes[0].auto[0].maxP95TimeToFirstToken: required by strategy "cost-within-latency""#,
            #"routes[0].auto[1].name: duplicate auto model name "auto" (first used by routes[0].auto[0])"#,
            #"routes[0].auto[1].maxP95TimeToFirstToken: only used by strategy "cost-within-latency"; remove it"#,
            #"routes[0].auto[2].name: the route's match.model one of "auto" does not match "other", so no request could use it"#,
            #"routes[0].auto[2].strategy: "fast" is not one of "cost", "latency", "cost-within-latency""#,
            #"routes[0].auto[2].classes[0]: a class needs "requireTags" or "minTier"; without them it would change nothing"#,
        ])
    }

    @Test func candidatesMustBeRegistryEntriesInOneCurrency() {
        let unknown = #"[{"name": "auto", "strategy": "cost", "candidates": [{"backend": "a", "model": "nope"}, {"backend": "zz", "model": "m1"}]}]"#
        #expect(configIssues(configText(backends: Self.backends, routes: Self.route(unknown))) == [
            #"routes[0].auto[0].candidates[0].model: backend "a" has no modelInfo for "nope""#,
            #"routes[0].auto[0].candidates[1].backend: unknown backend "zz""#,
        ])
        let mixed = #"[{"name": "auto", "strategy": "cost"}]"#
        #expect(configIssues(configText(backends: Self.backends, routes: Self.route(mixed))) == [
            "routes[0].auto[0]: the candidates are priced in EUR, USD; costs can only be compared in one currency",
        ])
    }

    @Test func theSchemaListsTheSameFields() throws {
        let schema = try ConfigSchemaTests.schema()
        #expect(ConfigSchemaTests.keys(ConfigSchemaTests.definition(["$defs", "modelInfo", "properties"], in: schema)) == ProxyConfigDecoding.modelInfoKeys)
        #expect(ConfigSchemaTests.keys(ConfigSchemaTests.definition(["$defs", "autoModel", "properties"], in: schema)) == ProxyConfigDecoding.autoKeys)
        #expect(ConfigSchemaTests.keys(ConfigSchemaTests.definition(["$defs", "autoClass", "properties"], in: schema)) == ProxyConfigDecoding.autoClassKeys)
        #expect(ConfigSchemaTests.strings(ConfigSchemaTests.definition(["$defs", "modelInfo", "properties", "capabilities", "items", "enum"], in: schema))
            == ModelCapability.allCases.map(\.rawValue))
    }

    @Test(.enabled(if: ConfigSchemaTests.pythonJSONSchemaAvailable, "needs python3 with jsonschema"))
    func theSchemaAcceptsTheRegistryAndRejectsWhatTheDecoderRejects() {
        let good = Self.route(#"[{"name": "auto", "strategy": "cost-within-latency", "maxP95TimeToFirstToken": "2s", "candidates": [{"backend": "a", "model": "m1"}], "classes": [{"name": "c", "keywords": ["x"], "minTier": 1}]}]"#)
        #expect(ConfigSchemaTests.schemaErrors(Data(configText(backends: Self.backends, routes: good).utf8)) == nil)
        for auto in [#"[{"name": "auto", "strategy": "cost-within-latency"}]"#, #"[{"name": "auto", "strategy": "cost", "maxP95TimeToFirstToken": "2s"}]"#,
                     #"[{"name": "auto", "strategy": "cost", "classes": [{"name": "c", "keywords": ["x"]}]}]"#] {
            let text = configText(backends: Self.backends, routes: Self.route(auto))
            #expect(!configIssues(text).isEmpty)
            #expect(ConfigSchemaTests.schemaErrors(Data(text.utf8)) != nil, "\(auto)")
        }
    }
}

/// `defaults.priorities`.
@Suite struct ConfigPrioritiesDecoderTests {
    @Test func prioritiesDecodeWithTheLowestAsDefaultAndRoundTrip() throws {
        let config = try decodeValidConfig(configText(extra: #""defaults": {"priorities": {"levels": ["interactive", "batch"]}}"#))
        #expect(config.defaults.priorities == PriorityConfig(levels: ["interactive", "batch"], defaultLevel: 1))
        #expect(try decodeValidConfig(ProxyConfigEncoder.text(config)) == config)
        let priorities = try #require(config.defaults.priorities)
        #expect(priorities.level(of: HTTPHeaders()) == 1)
        #expect(priorities.level(of: HTTPHeaders([("x-sluice-priority", "interactive")])) == 0)
        #expect(priorities.level(of: HTTPHeaders([("x-sluice-priority", "urgent")])) == nil)
    }

    @Test func badPrioritiesNameTheirPath() {
        #expect(configIssues(configText(extra: #""defaults": {"priorities": {"levels": ["a", "a"], "default": "z"}}"#)) == [
            #"defaults.priorities.levels[1]: duplicate priority name "a" (first used by defaults.priorities.levels[0])"#,
            #"defaults.priorities.default: "z" is not one of the levels"#,
        ])
        #expect(configIssues(configText(extra: #""defaults": {"priorities": {"levels": ["only"]}}"#)) == [
            "defaults.priorities.levels: 1 classes; expected 2 to 8, highest first",
        ])
    }

    @Test func aConsumersClassCapsItsHeaderAndIsItsClassWithoutOne() throws {
        let priorities = PriorityConfig(levels: ["interactive", "standard", "batch"], defaultLevel: 1)
        let interactive = HTTPHeaders([("x-sluice-priority", "interactive")])
        let batch = HTTPHeaders([("x-sluice-priority", "batch")])
        // A consumer of class "standard" (1): no header gives its class, a higher one is capped,
        // a lower one is honoured, a bad name is still refused.
        #expect(priorities.level(of: HTTPHeaders(), ceiling: 1) == 1)
        #expect(priorities.level(of: interactive, ceiling: 1) == 1)
        #expect(priorities.level(of: batch, ceiling: 1) == 2)
        #expect(priorities.level(of: HTTPHeaders([("x-sluice-priority", "urgent")]), ceiling: 1) == nil)
        // A "batch" consumer without a header is batch, not the gateway's default.
        #expect(priorities.level(of: HTTPHeaders(), ceiling: 2) == 2)
        // Without a class of its own the header chooses freely.
        #expect(priorities.level(of: interactive) == 0)
    }

    @Test func consumerAndAnonymousClassesDecodeRoundTripAndReachTheTable() throws {
        let text = configText(extra: #"""
            "defaults": {"priorities": {"levels": ["interactive", "standard", "batch"], "default": "standard", "reservedPercent": 25}},
            "consumers": [{"name": "etl", "keysDirectory": "dir", "priority": "batch"}, {"name": "app", "keysDirectory": "dir"}],
            "authentication": {"allowAnonymous": true, "anonymous": {"priority": "batch"}}
            """#)
        let config = try decodeValidConfig(text, decoder: ProxyConfigDecoder(fileExists: { _ in true }))
        #expect(config.consumers.map(\.priority) == ["batch", nil])
        #expect(config.authentication.anonymous?.priority == "batch")
        #expect(config.defaults.priorities?.reservedPercent == 25)
        #expect(try ProxyConfigDecoder(fileExists: { _ in true }).decode(ProxyConfigEncoder.text(config)) == config)
        let table = ConsumerTable(config, digests: [], limiters: [])
        #expect(table.consumers.map(\.priority) == [2, nil])
        #expect(table.limits(of: nil)?.priority == 2)
    }

    @Test func aConsumerClassMustBeALevel() {
        let decoder = ProxyConfigDecoder(fileExists: { _ in true })
        #expect(configIssues(configText(extra: #""consumers": [{"name": "etl", "keysDirectory": "dir", "priority": "batch"}]"#),
                             decoder: decoder) == [
            "consumers[0].priority: needs defaults.priorities: a class can only be one of its levels",
        ])
        #expect(configIssues(configText(extra: #"""
            "defaults": {"priorities": {"levels": ["interactive", "batch"], "reservedPercent": 95}},
            "consumers": [{"name": "etl", "keysDirectory": "dir", "priority": "bulk"}]
            """#), decoder: decoder) == [
            "defaults.priorities.reservedPercent: 95 is greater than the maximum 90",
        ])
        #expect(configIssues(configText(extra: #"""
            "defaults": {"priorities": {"levels": ["interactive", "batch"]}},
            "consumers": [{"name": "etl", "keysDirectory": "dir", "priority": "bulk"}]
            """#), decoder: decoder) == [
            #"consumers[0].priority: "bulk" is not one of defaults.priorities.levels ("interactive", "batch")"#,
        ])
    }
}
