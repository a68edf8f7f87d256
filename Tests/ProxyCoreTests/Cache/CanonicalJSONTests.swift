import Testing
@testable import ProxyCore

/// Canonical request bodies and the keys made from them.
@Suite struct CanonicalJSONTests {
    static func canonical(_ text: String, _ config: RouteCacheConfig = RouteCacheConfig(mode: .always)) -> [UInt8]? {
        guard case .success(let request) = CacheableRequest.check(body: Array(text.utf8), config: config) else { return nil }
        return request.canonicalBody
    }

    static func key(_ body: [UInt8], scope: String = "anonymous", namespace: String = "", backend: String = "openai",
                    model: String = "gpt-4o") -> CacheKey {
        CacheKey(route: "chat", backend: backend, model: model, path: "/v1/chat/completions", scope: scope, namespace: namespace,
                 canonicalBody: body)
    }

    @Test func keysAreSortedWhitespaceDroppedAndNumbersNormalised() throws {
        let value = try JSONParser.parse(#"{ "b" : [ 1.0, 2.50, 1e2, -0, -0.0, 12345678901234567890, 0.1 ],"a":{"z":true,"y":null} }"#)
        #expect(String(decoding: CanonicalJSON.bytes(of: value), as: UTF8.self)
                == #"{"a":{"y":null,"z":true},"b":[1,2.5,100,0,0,12345678901234567890,0.1]}"#)
    }

    @Test func bodiesDifferingOnlyInKeyOrderOrWhitespaceShareAKey() throws {
        let one = try #require(Self.canonical(#"{"model":"gpt-4o","temperature":0,"messages":[{"role":"user","content":"hi"}]}"#))
        let two = try #require(Self.canonical("{\n  \"messages\" : [ {\"content\":\"hi\", \"role\":\"user\"} ],\n  \"temperature\": 0.0, \"model\":\"gpt-4o\"\n}"))
        #expect(one == two)
        #expect(Self.key(one) == Self.key(two))
    }

    @Test func aChangedSystemPromptOrEarlierTurnChangesTheKey() throws {
        let base = #"{"model":"m","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}"#
        let system = base.replacing("Be brief.", with: "Be verbose.")
        let turn = base.replacing(#""content":"b""#, with: #""content":"B""#)
        let keys = try [base, system, turn].map { Self.key(try #require(Self.canonical($0))) }
        #expect(Set(keys).count == 3)
    }

    @Test func streamStreamOptionsAndIgnoredFieldsAreLeftOut() throws {
        let plain = try #require(Self.canonical(#"{"model":"m","messages":[]}"#))
        let streamed = try #require(Self.canonical(#"{"model":"m","stream":true,"stream_options":{"include_usage":true},"user":"u1","metadata":{"a":"b"},"messages":[]}"#))
        #expect(plain == streamed)
        let custom = RouteCacheConfig(mode: .always, ignoreFields: ["trace"])
        #expect(Self.canonical(#"{"model":"m","trace":"x","user":"u"}"#, custom) == Self.canonical(#"{"model":"m","user":"u"}"#, custom))
        #expect(Self.canonical(#"{"model":"m","user":"u"}"#, custom) != Self.canonical(#"{"model":"m"}"#, custom))
    }

    @Test func scopeNamespaceBackendAndModelSeparateEntries() {
        let body = Array(#"{"model":"m"}"#.utf8)
        let keys = [Self.key(body), Self.key(body, scope: "team-a"), Self.key(body, namespace: "ns"), Self.key(body, backend: "azure"),
                    Self.key(body, model: "gpt-4o-mini")]
        #expect(Set(keys).count == keys.count)
        #expect(Self.key(body) == Self.key(body))
    }

    @Test func deterministicModeNeedsTemperatureZeroOrASeed() {
        let config = RouteCacheConfig()
        func verdict(_ text: String) -> CacheableRequest.Refusal? {
            if case .failure(let refusal) = CacheableRequest.check(body: Array(text.utf8), config: config) { return refusal }
            return nil
        }
        #expect(verdict(#"{"model":"m","temperature":0}"#) == nil)
        #expect(verdict(#"{"model":"m","temperature":0.0}"#) == nil)
        #expect(verdict(#"{"model":"m","seed":42,"temperature":0.7}"#) == nil)
        #expect(verdict(#"{"model":"m"}"#) == .notDeterministic)
        #expect(verdict(#"{"model":"m","temperature":0.2}"#) == .notDeterministic)
        #expect(verdict(#"{"model":"m","seed":null}"#) == .notDeterministic)
        #expect(verdict(#"{"model":"m","temperature":0,"n":2}"#) == .multipleChoices)
        #expect(verdict(#"{"model":"m","temperature":0,"n":1}"#) == nil)
        #expect(verdict(#"{"model":"m","temperature":0,"logprobs":true}"#) == .logprobs)
        #expect(verdict(#"{"model":"m","temperature":0,"logprobs":false}"#) == nil)
        #expect(verdict("[1]") == .notJSON)
        let allowing = RouteCacheConfig(mode: .always, allowMultipleChoices: true, allowLogprobs: true)
        guard case .success = CacheableRequest.check(body: Array(#"{"n":3,"logprobs":true}"#.utf8), config: allowing) else {
            Issue.record("refused although the route allows it")
            return
        }
    }

    @Test func includeUsageIsRead() {
        guard case .success(let request) = CacheableRequest.check(body: Array(#"{"stream":true,"stream_options":{"include_usage":true}}"#.utf8),
                                                                  config: RouteCacheConfig(mode: .always)) else {
            Issue.record("refused")
            return
        }
        #expect(request.includeUsage)
    }
}
