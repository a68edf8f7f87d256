import Testing
@testable import ProxyCore

@Suite struct RoutingExplainTests {
    private let routes = #"""
        {"name": "gray-release", "match": {"paths": ["/v1/chat/completions"], "model": {"glob": "gpt-4o*"}},
         "split": [{"backend": "openai", "weight": 90}, {"backend": "deepseek", "weight": 10, "model": "deepseek-chat"}],
         "sticky": {"header": "x-user-id"}},
        {"name": "search", "match": {"headers": [{"name": "x-team", "exact": "search"}, {"name": "x-tier", "regex": "gold|silver"}]},
         "split": [{"backend": "deepseek", "weight": 1}]},
        {"name": "no-debug", "match": {"headers": [{"name": "x-debug", "present": false}], "models": ["a", "b"]},
         "split": [{"backend": "openai", "weight": 1}]},
        {"name": "default", "split": [{"backend": "openai", "weight": 1}]}
        """#

    @Test func explainSaysWhyEachEarlierRouteDidNotMatch() throws {
        let table = try routingTable(routes)
        let explanation = table.explain(path: "/v1/chat/completions", model: "a", headers: ["x-team": "ads", "x-debug": "1"], random: 0)
        #expect(explanation.lines == [
            #"routes[0] gray-release: model "a" does not match glob "gpt-4o*""#,
            #"routes[1] search: header "x-team" is "ads"; expected "search""#,
            #"routes[2] no-debug: header "x-debug" is present; expected absent"#,
            #"routes[3] default: matched; split[0] backend "openai" is the only entry with a positive weight; upstream model "a" (the client's, unchanged)"#,
        ])
        #expect(explanation.decision == table.route(path: "/v1/chat/completions", model: "a", headers: ["x-team": "ads", "x-debug": "1"], random: 0))
    }

    @Test func explainCoversPathsMissingModelsAndHeaders() throws {
        let table = try routingTable(routes)
        #expect(table.explain(path: "/v1/embeddings", model: nil, headers: ["x-team": "search"], random: 0).lines == [
            #"routes[0] gray-release: path "/v1/embeddings" is not "/v1/chat/completions""#,
            #"routes[1] search: header "x-tier" is absent; expected a match for regex "gold|silver""#,
            #"routes[2] no-debug: the request has no model; expected one of "a", "b""#,
            #"routes[3] default: matched; split[0] backend "openai" is the only entry with a positive weight; no model"#,
        ])
        #expect(table.explain(path: "/v1/embeddings", model: "gpt-4o", headers: ["x-team": "search", "x-tier": "bronze"], random: 0).skipped[1]
            == #"routes[1] search: header "x-tier" value "bronze" does not match regex "gold|silver""#)
    }

    @Test func explainDescribesStickyAndRandomPicks() throws {
        let table = try routingTable(routes)
        let sticky = table.explain(path: "/v1/chat/completions", model: "gpt-4o", headers: ["x-user-id": "user-42"], random: 0)
        let point = WeightedPicker.basisPoints(StickyHash.hash("user-42"))
        let entry = point < 9_000 ? #"split[0] backend "openai" (weight 90 of 100); upstream model "gpt-4o-2024-08-06" (from backend "openai"'s models map)"#
            : #"split[1] backend "deepseek" (weight 10 of 100); upstream model "deepseek-chat" (from the split entry)"#
        #expect(sticky.lines == [#"routes[0] gray-release: matched; sticky on "x-user-id" (point \#(point) of 10000) picked "# + entry])

        let random = table.explain(path: "/v1/chat/completions", model: "gpt-4o", headers: [:], random: .max)
        #expect(random.lines == [
            #"routes[0] gray-release: matched; sticky header "x-user-id" is absent, so random point 9999 of 10000 picked split[1] backend "deepseek" (weight 10 of 100); upstream model "deepseek-chat" (from the split entry)"#,
        ])
        #expect(random.decision?.backendName == "deepseek")
    }

    @Test func explainSaysWhenNothingMatched() throws {
        let table = try routingTable(#"{"name": "only", "match": {"model": {"exact": "x"}}, "split": [{"backend": "openai", "weight": 1}]}"#)
        let explanation = table.explain(path: "/", model: "y", headers: [:], random: 0)
        #expect(explanation.decision == nil)
        #expect(explanation.lines == [#"routes[0] only: model "y" does not match exact "x""#, "no route matched"])
    }
}
