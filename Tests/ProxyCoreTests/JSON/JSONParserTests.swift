import Testing
@testable import ProxyCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfScalar() throws {
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse(#""hi""#) == .string("hi"))
        #expect(try JSONParser.parse("-12.5e+3") == number("-12.5e+3"))
    }

    @Test func parsesNestedContainersInDocumentOrder() throws {
        let value = try JSONParser.parse(#"{"b":[1,{"c":[]},"x"],"a":{},"z":[[]]}"#)
        #expect(value == object(
            ("b", .array([number("1"), object(("c", .array([]))), .string("x")])),
            ("a", .object(JSONObject())),
            ("z", .array([.array([])]))
        ))
    }

    @Test func allowsWhitespaceAroundAndBetweenTokens() throws {
        let value = try JSONParser.parse(" \t\r\n{ \"a\" :\n[ 1 , 2 ] } \n")
        #expect(value == object(("a", .array([number("1"), number("2")]))))
    }

    @Test func keepsNumbersAsTheirLiteralText() throws {
        for literal in ["0", "-0", "1.50", "1E-2", "1e+10", "0.000001", "123456789012345678901234567890", "-9223372036854775809"] {
            #expect(try JSONParser.parse(literal) == number(literal))
        }
        #expect(try JSONParser.parse("42") == .number(JSONNumber(42)))
    }

    @Test func decodesEveryEscape() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{8}\u{C}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u00C9\u0000\u20AC""#) == .string("éÉ\u{0}€"))
        #expect(try JSONParser.parse(#""\uD83D\uDE00 \udbff\udfff""#) == .string("😀 \u{10FFFF}"))
    }

    @Test func acceptsWellFormedMultibyteUTF8() throws {
        #expect(try JSONParser.parse(#"["日本語", "😀", "\#u{7F}", "é\#u{10FFFF}"]"#)
            == .array([.string("日本語"), .string("😀"), .string("\u{7F}"), .string("é\u{10FFFF}")]))
    }

    @Test func parsesFromAnyCollectionOfBytes() throws {
        let bytes: [UInt8] = Array(#"{"a":[true]}"#.utf8)
        let expected = object(("a", .array([.bool(true)])))
        #expect(try JSONParser.parse(bytes) == expected)
        #expect(try JSONParser.parse(bytes[...]) == expected)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == expected)
        #expect(try bytes.withUnsafeBytes { (raw) throws(JSONParseError) in try JSONParser.parse(raw) } == expected)
    }

    @Test(arguments: [
        ("", 1, 1, "empty document: expected a JSON value"),
        ("  \n ", 2, 2, "empty document"),
        (#"{"a":1 x}"#, 1, 8, "expected ',' or '}' after object member, found 'x'"),
        ("[1,2", 1, 5, "expected ',' or ']' after array element, found end of input"),
        (#"{"a" 1}"#, 1, 6, "expected ':' after object key, found '1'"),
        (#"{"a":1,}"#, 1, 8, "expected '\"' to start an object key after ',', found '}'"),
        ("{1:2}", 1, 2, "expected '\"' to start an object key or '}', found '1'"),
        ("[1,]", 1, 4, "expected a JSON value, found ']'"),
        ("01", 1, 2, "leading zeros are not allowed in numbers, found '1'"),
        ("-01", 1, 3, "leading zeros"),
        ("+1", 1, 1, "expected a JSON value, found '+'"),
        (".5", 1, 1, "expected a JSON value, found '.'"),
        ("1.", 1, 3, "expected a digit after '.' in number, found end of input"),
        ("1.e5", 1, 3, "expected a digit after '.' in number, found 'e'"),
        ("1e", 1, 3, "expected a digit in number exponent, found end of input"),
        ("1e+", 1, 4, "expected a digit in number exponent"),
        ("-", 1, 2, "expected a digit after '-' in number, found end of input"),
        ("-a", 1, 2, "expected a digit after '-' in number, found 'a'"),
        ("tru", 1, 4, "invalid literal: expected 'true', found end of input"),
        ("nulL", 1, 4, "invalid literal: expected 'null', found 'L'"),
        ("fals e", 1, 5, "expected 'false'"),
        ("NaN", 1, 1, "expected a JSON value, found 'N'"),
        ("Infinity", 1, 1, "expected a JSON value, found 'I'"),
        ("/* c */ {}", 1, 1, "found '/'"),
        (#""abc"#, 1, 5, "unterminated string, found end of input"),
        ("\"a\tb\"", 1, 3, "unescaped control character U+0009 in string"),
        ("\"a\nb\"", 1, 3, "unescaped control character U+000A in string"),
        (#""\x""#, 1, 3, "invalid escape in string: '\\' followed by 'x'"),
        (#""\'""#, 1, 3, "followed by '''"),
        (#""\u12G4""#, 1, 6, "expected 4 hex digits after '\\u', found 'G'"),
        (#""\u00""#, 1, 6, "expected 4 hex digits after '\\u', found '\"'"),
        (#""\uD800""#, 1, 2, "high surrogate escape not followed by"),
        (#""\uD800\u0041""#, 1, 2, "high surrogate"),
        (#""\uD800\uD800""#, 1, 2, "high surrogate"),
        (#""\uDC00x""#, 1, 2, "low surrogate escape without a preceding high surrogate"),
        ("1 2", 1, 3, "unexpected '2' after the JSON value"),
        (#"{"a":1}}"#, 1, 8, "unexpected '}' after the JSON value"),
        ("{\n  \"a\": 1,\n  \"b\": tru\n}", 3, 11, "invalid literal: expected 'true', found control character U+000A"),
        (#"["é", x]"#, 1, 7, "expected a JSON value, found 'x'"),
        ("\u{FEFF}{}", 1, 1, "expected a JSON value, found '\u{FEFF}' (U+FEFF)"),
        ("[é]", 1, 2, "found 'é' (U+00E9)"),
    ] as [(String, Int, Int, String)])
    func rejectsInvalidDocumentsWithPosition(text: String, line: Int, column: Int, fragment: String) throws {
        let error = try #require(parseError(text))
        #expect(error.line == line)
        #expect(error.column == column)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test(arguments: [
        ([0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8 in string: overlong encoding (lead byte 0xC0)"),
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2, "invalid UTF-8 in string: overlong encoding"),
        ([0x22, 0xF0, 0x8F, 0xBF, 0xBF, 0x22], 2, "overlong encoding"),
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 2, "encoded surrogate"),
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2, "code point above U+10FFFF"),
        ([0x22, 0xE2, 0x82, 0x22], 3, "truncated sequence"),
        ([0x22, 0xE2, 0x82], 3, "truncated sequence"),
        ([0x22, 0xF0, 0x9F, 0x98], 4, "truncated sequence"),
        ([0x22, 0x80, 0x22], 1, "unexpected continuation byte 0x80"),
        ([0x22, 0xFF, 0x22], 1, "byte 0xFF, which never appears in UTF-8"),
        ([0x22, 0x61, 0xF5, 0x80, 0x22], 2, "never appears"),
        ([0x5B, 0xC3, 0x5D], 1, "expected a JSON value, found invalid UTF-8 byte 0xC3"),
    ] as [([UInt8], Int, String)])
    func rejectsMalformedUTF8AtTheOffendingByte(bytes: [UInt8], offset: Int, fragment: String) throws {
        let error = try #require(parseError(bytes))
        #expect(error.offset == offset)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func errorDescriptionNamesLineAndColumn() throws {
        let error = try #require(parseError("[\n 1,\n x]"))
        #expect(error.description == "line 3, column 2: expected a JSON value, found 'x'")
        #expect(error.offset == 7)
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(parseError(deep) == nil)
        let objects = String(repeating: #"{"a":"#, count: 128) + "1" + String(repeating: "}", count: 128)
        #expect(parseError(objects) == nil)
    }

    @Test func nestingBeyondTheLimitIsRejectedWhereItStarts() throws {
        let tooDeep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        let error = try #require(parseError(tooDeep))
        #expect(error.offset == 128)
        #expect(error.message == "nesting deeper than the limit of 128 objects and arrays")
        let custom = try #require(parseError(#"{"a":[{}]}"#, options: .init(maxDepth: 2)))
        #expect(custom.offset == 6)
        #expect(parseError("[[1]]", options: .init(maxDepth: 2)) == nil)
        #expect(parseError("[]", options: .init(maxDepth: 0)) != nil)
        #expect(parseError("1", options: .init(maxDepth: 0)) == nil)
    }

    @Test func hugeNestingFailsCleanlyWithoutExhaustingTheStack() throws {
        let hostile = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(parseError(hostile)?.offset == 128)
        // Even a caller's huge limit only costs a byte per level: no recursion.
        let unclosed = try #require(parseError(hostile, options: .init(maxDepth: .max)))
        #expect(unclosed.offset == hostile.count)
        #expect(unclosed.message.contains("end of input"))
    }

    @Test func duplicateKeysAreKeptInOrderByDefault() throws {
        let value = try JSONParser.parse(#"{"a":1,"a":2}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.keys == ["a", "a"])
        #expect(members["a"] == number("1"))
    }

    @Test func duplicateKeysAreRejectedWhenAsked() throws {
        let strict = JSONParser.Options(rejectDuplicateKeys: true)
        let error = try #require(parseError(#"{"a":1, "b":{"a":2}, "a":3}"#, options: strict))
        #expect(error.offset == 21)
        #expect(error.message == #"duplicate object key "a""#)
        // The same key spelled with an escape is still the same key.
        #expect(parseError(#"{"model":1,"mod\u0065l":2}"#, options: strict)?.message == #"duplicate object key "model""#)
        // The same key in different objects is fine.
        #expect(parseError(#"{"a":{"a":1},"b":[{"a":1},{"a":2}]}"#, options: strict) == nil)
    }

    @Test func canonicallyEquivalentKeysCountAsDuplicatesWhenRejecting() throws {
        // Like JSONObject's subscript, which could not tell these two keys apart.
        #expect(parseError(#"{"\u212A":1,"K":2}"#) == nil)
        #expect(parseError(#"{"\u212A":1,"K":2}"#, options: .init(rejectDuplicateKeys: true))?.offset == 12)
    }

    @Test func duplicateKeyMessagesAreBounded() throws {
        let key = String(repeating: "k", count: 10_000)
        let error = try #require(parseError(#"{"\#(key)":1,"\#(key)":2}"#, options: .init(rejectDuplicateKeys: true)))
        #expect(error.message.count < 100)
    }
}
