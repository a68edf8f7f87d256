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

    static func text(_ json: String, omitting: [String] = []) -> String? {
        CanonicalJSON.canonicalize(Array(json.utf8), omitting: omitting.map { Array($0.utf8) }).map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func keysAreSortedWhitespaceDroppedAndNumbersNormalised() {
        #expect(Self.text(#"{ "b" : [ 1.0, 2.50, 1e2, -0, -0.0, 12345678901234567890, 0.1 ],"a":{"z":true,"y":null} }"#)
                == #"{"a":{"y":null,"z":true},"b":[1,2.5,100,0,0,12345678901234567890,0.1]}"#)
        #expect(Self.text(#"{"a":[],"b":{},"c":[[],{}],"d":[{"y":1,"x":[2,{"q":3,"p":4}]}]}"#)
                == #"{"a":[],"b":{},"c":[[],{}],"d":[{"x":[2,{"p":4,"q":3}],"y":1}]}"#)
    }

    @Test func everySpellingOfAStringIsOne() {
        #expect(Self.text(#"{"k":"\u0061\/b","\u006b2":"é\t"}"#) == Self.text(#"{"k2":"\u00e9\u0009","k":"a/b"}"#))
        #expect(Self.text(#"{"k":"\u0061\/b"}"#) == #"{"k":"a/b"}"#)
    }

    @Test func onlyTopLevelMembersAreOmittedAndDuplicatesKeepTheirOrder() {
        #expect(Self.text(#"{"user":"u","m":{"user":"v"},"a":1,"a":2}"#, omitting: ["user"]) == #"{"a":1,"a":2,"m":{"user":"v"}}"#)
    }

    @Test func notAnObjectOrNotJSONIsNothing() {
        #expect(Self.text("[1]") == nil)
        #expect(Self.text(#""x""#) == nil)
        #expect(Self.text(#"{"a":}"#) == nil)
        #expect(Self.text(#"{"a":1} x"#) == nil)
    }

    /// The walk-and-write builder agrees with the tree: parse, normalise numbers, `JSONWriter`'s
    /// `.canonical` output.
    @Test func theBuilderWritesWhatTheTreeWriterWrites() throws {
        func normalised(_ value: JSONValue) -> JSONValue {
            switch value {
            case .number(let number): .number(CanonicalJSON.normalised(number))
            case .array(let elements): .array(elements.map(normalised))
            case .object(let object): .object(JSONObject(object.members.map { ($0.key, normalised($0.value)) }))
            default: value
            }
        }
        let documents = [
            #"{"model":"gpt-4o","messages":[{"role":"system","content":"Be \"brief\".\nOK"},{"role":"user","content":"h\u00e9llo \ud83d\ude00"}],"temperature":0.0,"seed":1e3}"#,
            #"{"z":{"b":[true,false,null,-1.5e-3,"\u0000"],"a":"\u001f"},"é":1,"e":2,"\u00e9\u0301":3}"#,
            #"{"n":[0,-0,1E2,1.25e+2,123456789012345678901234567890,3.14159]}"#,
        ]
        for document in documents {
            let tree = normalised(try JSONParser.parse(document))
            #expect(Self.text(document) == String(decoding: JSONWriter.write(tree, options: .canonical), as: UTF8.self), "\(document)")
        }
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
