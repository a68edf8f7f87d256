import Testing
@testable import ProxyCore

@Suite struct JSONFieldScannerTests {
    private let requestKeys = ["model", "stream", "max_tokens", "stream_options", "messages", "user", "seed", "missing"]

    private func scan(_ text: String, _ keys: [String]) -> Result<[Range<Int>?], JSONParseError> {
        JSONFieldScanner.scanTopLevel(Array(text.utf8), keys: keys.map { Array($0.utf8) })
    }

    private func ranges(_ text: String, _ keys: [String]) throws -> [Range<Int>?] {
        try scan(text, keys).get()
    }

    private func slice(_ text: String, _ range: Range<Int>?) -> String? {
        range.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
    }

    @Test func findsTheValueRangeOfEachRequestedKey() throws {
        let body = #"{"model": "gpt-4o", "stream":true ,"max_tokens":512,"stream_options":{"include_usage":true},"messages":[{"model":"x"}],"user":null}"#
        let found = try ranges(body, requestKeys)
        #expect(found.map { slice(body, $0) } == [
            #""gpt-4o""#, "true", "512", #"{"include_usage":true}"#, #"[{"model":"x"}]"#, "null", nil, nil,
        ])
    }

    @Test func matchesKeysWrittenWithEscapes() throws {
        let body = #"{"mod\u0065l":"a","stre\u0061m":false,"\u006D\u0061x_tokens":1}"#
        let found = try ranges(body, ["model", "stream", "max_tokens", "mode"])
        #expect(found.map { slice(body, $0) } == [#""a""#, "false", "1", nil])
        // An escape that decodes to something else does not match.
        #expect(try ranges(#"{"mod\u0065L":1}"#, ["model"]) == [nil])
    }

    @Test func keysMatchByTheirBytesNotByUnicodeEquivalence() throws {
        // U+212A KELVIN SIGN is canonically equivalent to "K": Swift's == says equal, bytes differ.
        let body = #"{"\u212A":1,"K":2}"#
        #expect(try ranges(body, ["K", "\u{212A}"]).map { slice(body, $0) } == ["2", "1"])
    }

    @Test func theFirstOccurrenceWinsAndNestedKeysAreIgnored() throws {
        let body = #"{"a":{"model":"inner"},"model":"first","model":"second"}"#
        #expect(try ranges(body, ["model", "model"]).map { slice(body, $0) } == [#""first""#, #""first""#])
    }

    @Test func acceptsEmptyObjectsAndEmptyKeyLists() throws {
        #expect(try ranges(" {} ", ["model"]) == [nil])
        #expect(try ranges(#"{"a":1}"#, []) == [])
        #expect(try ranges(#"{"":1}"#, [""]).map { slice(#"{"":1}"#, $0) } == ["1"])
    }

    @Test func rejectsATopLevelThatIsNotAnObject() throws {
        for text in ["[]", #""model""#, "1", "null"] {
            guard case .failure(let error) = scan(text, ["model"]) else { Issue.record("accepted \(text)"); continue }
            #expect(error.message.hasPrefix("expected '{': the top level must be an object"))
            #expect(error.offset == 0)
        }
        guard case .failure(let empty) = scan("  ", ["model"]) else { Issue.record("accepted whitespace"); return }
        #expect(empty.message.hasPrefix("empty document"))
    }

    @Test func detectsMalformedBodiesAfterTheWantedKeysWithTheParsersError() throws {
        let bad = [
            #"{"model":"m","x":[1,2}"#, #"{"model":"m","x":01}"#, #"{"model":"m"} x"#, #"{"model":"m","#,
            #"{"model":"m","x":"\uD800"}"#, "{\"model\":\"m\",\"x\":\"\u{1}\"}", #"{"model":"m","x":tru}"#,
            #"{"model":"m",}"#,
        ]
        for text in bad {
            guard case .failure(let error) = scan(text, ["model"]) else { Issue.record("accepted \(text)"); continue }
            #expect(error == parseError(text), "\(text)")
        }
        let invalidUTF8: [UInt8] = Array(#"{"model":"m","x":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
        guard case .failure(let error) = JSONFieldScanner.scanTopLevel(invalidUTF8, keys: [Array("model".utf8)]) else {
            Issue.record("accepted an encoded surrogate")
            return
        }
        #expect(error == parseError(invalidUTF8))
    }

    @Test func appliesTheDepthLimit() throws {
        let deep = "{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
        guard case .failure(let error) = scan(deep, ["a"]) else { Issue.record("accepted too deep"); return }
        #expect(error.offset == 5 + 127)
        #expect(JSONFieldScanner.scanTopLevel(Array(deep.utf8), keys: [], maxDepth: 201).isSuccess)
    }

    @Test func agreesWithTheParserOnManyDocuments() throws {
        let documents = [
            chatRequestText, chatResponseText,
            #"{"model":"m\u00e9\"x\"","stream":false,"max_tokens":-0,"seed":9223372036854775807,"user":"\ud83d\ude00"}"#,
            #"{"seed":-9223372036854775808,"max_tokens":9223372036854775808,"stream":"true","model":{"id":"x"}}"#,
            #"{"messages":[],"stream_options":null,"model":"","user":1.5e3,"max_tokens":1.0}"#,
            "{\n\t\"model\" :\r\n \"tab\\tbed\" ,\"stream\" : [ true ]\n}",
            #"{"a":{"b":{"c":[{"model":"deep"}]}},"model":"top","max_tokens":1e2}"#,
            #"{"\u006dodel":"escaped key","model":"second"}"#,
        ]
        for text in documents {
            let tree = try JSONParser.parse(text)
            guard case .object(let members) = tree else { Issue.record("not an object"); continue }
            let found = try ranges(text, requestKeys)
            let bytes = Array(text.utf8)
            for (key, range) in zip(requestKeys, found) {
                let member = members.members.first { $0.key.utf8.elementsEqual(key.utf8) }
                guard let member else {
                    #expect(range == nil, "\(key) in \(text)")
                    continue
                }
                let range = try #require(range)
                // The range holds exactly the member's value.
                #expect(try JSONParser.parse(bytes[range]) == member.value)
                switch member.value {
                case .string(let string):
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .string)
                    #expect(JSONFieldScanner.decodeString(bytes, at: range) == string)
                case .bool(let flag):
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .bool)
                    #expect(JSONFieldScanner.decodeBool(bytes, at: range) == flag)
                case .number(let number):
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .number)
                    #expect(JSONFieldScanner.decodeInt(bytes, at: range) == number.int, "\(number)")
                case .null:
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .null)
                case .object:
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .object)
                case .array:
                    #expect(JSONFieldScanner.valueKind(bytes, at: range) == .array)
                }
            }
        }
    }

    @Test func scansAOneMegabyteBodyWithTheModelAtTheEnd() throws {
        var body = Array(#"{"messages":[{"role":"user","content":""#.utf8)
        let filler = Array("Lorem ipsum dolor sit amet, \\\"quoted\\\" caf\u{E9} \\u00e9 ".utf8)
        while body.count < 1_000_000 { body.append(contentsOf: filler) }
        body.append(contentsOf: #""}],"stream":true,"model":"gpt-4o-mini"}"#.utf8)
        let found = try JSONFieldScanner.scanTopLevel(body, keys: [Array("model".utf8), Array("stream".utf8)]).get()
        let model = try #require(found[0])
        #expect(JSONFieldScanner.decodeString(body, at: model) == "gpt-4o-mini")
        #expect(found[1].flatMap { JSONFieldScanner.decodeBool(body, at: $0) } == true)
        #expect(model.upperBound == body.count - 1)
    }

    @Test func decodeIntIsCheckedAndOnlyAcceptsIntegers() {
        let cases: [(String, Int?)] = [
            ("42", 42), ("-0", 0), ("0", 0), ("9223372036854775807", .max), ("-9223372036854775808", .min),
            ("9223372036854775808", nil), ("-9223372036854775809", nil), ("99999999999999999999999", nil),
            ("1.0", nil), ("1e3", nil), ("-", nil), ("", nil), ("01", nil), (#""1""#, nil), ("true", nil),
        ]
        for (text, expected) in cases {
            let bytes = Array(text.utf8)
            #expect(JSONFieldScanner.decodeInt(bytes, at: 0..<bytes.count) == expected, "\(text)")
        }
    }

    @Test func decodeHelpersReturnNilForTheWrongKindOrABadRange() {
        let bytes = Array(#"{"a":"x\ny","b":nul}"#.utf8)
        #expect(JSONFieldScanner.decodeString(bytes, at: 5..<10) == nil)
        #expect(JSONFieldScanner.decodeString(bytes, at: 5..<11) == "x\ny")
        #expect(JSONFieldScanner.decodeString(bytes, at: 5..<100) == nil)
        #expect(JSONFieldScanner.decodeString(bytes, at: -1..<3) == nil)
        #expect(JSONFieldScanner.decodeString(Array(#""\q""#.utf8), at: 0..<4) == nil)
        #expect(JSONFieldScanner.decodeBool(bytes, at: 5..<11) == nil)
        #expect(JSONFieldScanner.valueKind(bytes, at: 3..<3) == nil)
        #expect(JSONFieldScanner.valueKind(bytes, at: 1..<2) == .string)
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
