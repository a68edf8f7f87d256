import Testing
@testable import ProxyCore

@Suite struct RoutingMatchTests {
    private func routeName(_ table: RouteTable, path: String = "/v1/chat/completions", model: String?,
                           headers: HTTPHeaders = [:]) -> String? {
        table.route(path: path, model: model, headers: headers, random: 0)?.routeName
    }

    @Test func eachModelMatcherKindMatchesWhatItShould() throws {
        let table = try routingTable(#"""
            {"name": "exact", "match": {"model": {"exact": "gpt-4o"}}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "prefix", "match": {"model": {"prefix": "o1-"}}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "glob", "match": {"model": {"glob": "deepseek-*-v?"}}, "split": [{"backend": "deepseek", "weight": 1}]},
            {"name": "regex", "match": {"model": {"regex": "qwen-(max|plus)"}}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "list", "match": {"models": ["claude-3", "claude-4"]}, "split": [{"backend": "openai", "weight": 1}]}
            """#)
        #expect(routeName(table, model: "gpt-4o") == "exact")
        #expect(routeName(table, model: "gpt-4o-mini") == nil)
        #expect(routeName(table, model: "GPT-4o") == nil)
        #expect(routeName(table, model: "o1-preview") == "prefix")
        #expect(routeName(table, model: "o1") == nil)
        #expect(routeName(table, model: "deepseek-chat-v3") == "glob")
        #expect(routeName(table, model: "deepseek-a-b-v9") == "glob")
        #expect(routeName(table, model: "deepseek-chat-v10") == nil)
        #expect(routeName(table, model: "qwen-max") == "regex")
        #expect(routeName(table, model: "qwen-maxx") == nil, "regexes match the whole model")
        #expect(routeName(table, model: "xqwen-plus") == nil)
        #expect(routeName(table, model: "claude-4") == "list")
        #expect(routeName(table, model: "claude-5") == nil)
        #expect(routeName(table, model: nil) == nil, "a model condition needs a model")
    }

    @Test func globHandlesStarsAndQuestionMarksBytewise() {
        let cases: [(String, String, Bool)] = [
            ("gpt-4o*", "gpt-4o", true), ("gpt-4o*", "gpt-4o-mini", true), ("gpt-4o*", "gpt-4", false),
            ("*", "", true), ("*", "anything", true), ("", "", true), ("", "x", false),
            ("a*b*c", "abc", true), ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("a*b*c", "acb", false),
            ("?", "é", false), ("??", "é", true), ("*-mini", "gpt-4o-mini", true), ("**a", "ba", true),
            ("a?c", "abc", true), ("a?c", "ac", false),
        ]
        for (pattern, subject, expected) in cases {
            #expect(GlobPattern(pattern).matches(subject) == expected, "\(pattern) vs \(subject)")
        }
    }

    @Test func headerConditionsCoverExactPresenceAbsenceAndRegex() throws {
        let table = try routingTable(#"""
            {"name": "team", "match": {"headers": [{"name": "X-Team", "exact": "search"}]}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "canary", "match": {"headers": [{"name": "x-canary", "present": true}, {"name": "x-opt-out", "present": false}]}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "tier", "match": {"headers": [{"name": "x-tier", "regex": "gold|silver"}]}, "split": [{"backend": "openai", "weight": 1}]}
            """#)
        #expect(routeName(table, model: "m", headers: ["x-team": "search"]) == "team")
        #expect(routeName(table, model: "m", headers: ["X-TEAM": "search"]) == "team", "names compare case-insensitively")
        #expect(routeName(table, model: "m", headers: ["x-team": "Search"]) == nil, "values compare exactly")
        #expect(routeName(table, model: "m", headers: ["x-canary": ""]) == "canary")
        #expect(routeName(table, model: "m", headers: ["x-canary": "1", "x-opt-out": "1"]) == nil)
        #expect(routeName(table, model: "m", headers: ["x-tier": "gold"]) == "tier")
        #expect(routeName(table, model: "m", headers: ["x-tier": "golden"]) == nil)
        #expect(routeName(table, model: "m", headers: HTTPHeaders([("x-team", "ads"), ("x-team", "search")])) == nil, "the first field is tested")
    }

    @Test func pathsMatchExactlyAndIgnoreTheQuery() throws {
        let table = try routingTable(#"""
            {"name": "chat", "match": {"paths": ["/v1/chat/completions"]}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "default", "split": [{"backend": "deepseek", "weight": 1}]}
            """#)
        #expect(routeName(table, path: "/v1/chat/completions", model: nil) == "chat")
        #expect(routeName(table, path: "/v1/chat/completions?trace=1", model: nil) == "chat")
        #expect(routeName(table, path: "/v1/chat/completions/", model: nil) == "default")
        #expect(routeName(table, path: "/v1/embeddings", model: nil) == "default")
        let bytes = Array("/v1/chat/completions".utf8)
        #expect(bytes.withUnsafeBytes { table.route(path: $0, model: nil, headers: [:], random: 0)?.routeName } == "chat")
        let substring = "xx/v1/chat/completions".dropFirst(2)
        #expect(table.route(path: substring, model: nil, headers: [:], random: 0)?.routeName == "chat")
    }

    @Test func allConditionsOfARouteMustHold() throws {
        let table = try routingTable(#"""
            {"name": "all", "match": {"paths": ["/v1/chat/completions"], "model": {"glob": "gpt-4o*"}, "headers": [{"name": "x-team", "exact": "search"}]}, "split": [{"backend": "deepseek", "weight": 1}]}
            """#)
        #expect(routeName(table, model: "gpt-4o", headers: ["x-team": "search"]) == "all")
        #expect(routeName(table, path: "/v1/completions", model: "gpt-4o", headers: ["x-team": "search"]) == nil)
        #expect(routeName(table, model: "gpt-3.5", headers: ["x-team": "search"]) == nil)
        #expect(routeName(table, model: "gpt-4o") == nil)
    }

    @Test func firstMatchingRouteWinsAndTheCatchAllTakesTheRest() throws {
        let table = try routingTable(#"""
            {"name": "specific", "match": {"model": {"exact": "gpt-4o-mini"}}, "split": [{"backend": "deepseek", "weight": 1}]},
            {"name": "broad", "match": {"model": {"glob": "gpt-4o*"}}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "also-broad", "match": {"model": {"prefix": "gpt"}}, "split": [{"backend": "openai", "weight": 1}]},
            {"name": "default", "split": [{"backend": "openai", "weight": 1}]}
            """#)
        #expect(routeName(table, model: "gpt-4o-mini") == "specific")
        #expect(routeName(table, model: "gpt-4o") == "broad")
        #expect(routeName(table, model: "gpt-3.5") == "also-broad")
        #expect(routeName(table, model: "llama") == "default")
        #expect(routeName(table, model: nil) == "default")
        let decision = table.route(path: "/v1/chat/completions", model: "llama", headers: [:], random: 0)
        #expect(decision == RouteDecision(routeIndex: 3, routeName: "default", splitIndex: 0, backendIndex: 0, backendName: "openai",
                                          upstreamModel: "llama", selection: .single))
    }

    @Test func upstreamModelComesFromTheEntryThenTheBackendMapThenTheClient() throws {
        let table = try routingTable(#"""
            {"name": "to-deepseek", "match": {"models": ["gpt-4o-mini"]}, "split": [{"backend": "deepseek", "weight": 1, "model": "deepseek-chat"}]},
            {"name": "default", "split": [{"backend": "openai", "weight": 1}]}
            """#)
        #expect(table.route(path: "/", model: "gpt-4o-mini", headers: [:], random: 0)?.upstreamModel == "deepseek-chat")
        #expect(table.route(path: "/", model: "gpt-4o", headers: [:], random: 0)?.upstreamModel == "gpt-4o-2024-08-06")
        #expect(table.route(path: "/", model: "o3", headers: [:], random: 0)?.upstreamModel == "o3")
        #expect(table.route(path: "/v1/models", model: nil, headers: [:], random: 0)?.upstreamModel == nil)
    }

    @Test func theAsteriskTargetIsNotRoutedEvenByACatchAll() throws {
        let table = try routingTable(#"{"name": "all", "split": [{"backend": "openai", "weight": 1}]}"#)
        #expect(table.route(path: "*", model: nil, headers: [:], random: 0) == nil)
        #expect(table.route(path: "/", model: nil, headers: [:], random: 0) != nil)
        #expect(table.explain(path: "*", model: nil, headers: [:], random: 0).decision == nil)
    }

    @Test func backendsResolveToIndicesOfTheConfig() throws {
        let table = try routingTable(#"{"name": "r", "split": [{"backend": "deepseek", "weight": 1}]}"#)
        let decision = try #require(table.route(path: "/", model: nil, headers: [:], random: 0))
        #expect(decision.backendIndex == 1 && decision.backendName == "deepseek")
        #expect(table.backendNames == ["openai", "deepseek"] && table.routeNames == ["r"])
    }

    @Test func aConfigThatSkippedValidationIsRefusedByTheTable() {
        let config = ProxyConfig(
            backends: [BackendConfig(name: "a", provider: .openai, baseURL: try! BackendURL.parse("https://a.example").get())],
            routes: [RouteConfig(name: "r", match: RouteMatchConfig(model: .regex("(")), split: [SplitEntryConfig(backend: "b", weight: 0)])])
        #expect(throws: ProxyConfigError.self) { try RouteTable(config) }
    }
}
