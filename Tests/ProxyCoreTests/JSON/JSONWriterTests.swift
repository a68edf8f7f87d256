import Testing
@testable import ProxyCore

@Suite struct JSONWriterTests {
    private func text(_ value: JSONValue, _ options: JSONWriter.Options = []) -> String {
        String(decoding: JSONWriter.write(value, options: options), as: UTF8.self)
    }

    private func appended(_ body: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        body(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func writesCompactJSONByDefault() {
        let value = object(("a", .array([number("1"), .bool(true), .null])), ("b", .object(JSONObject())), ("c", .array([])))
        #expect(text(value) == #"{"a":[1,true,null],"b":{},"c":[]}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharactersOnly() {
        let value = JSONValue.string("\"\\/\n\r\t\u{8}\u{C}\u{0}\u{1}\u{1F}\u{7F} é😀")
        #expect(text(value) == #""\"\\/\n\r\t\b\f\u0000\u0001\u001f"# + "\u{7F} é😀\"")
    }

    @Test func escapesKeysLikeStrings() {
        #expect(text(object(("a\"b\n", .null))) == #"{"a\"b\n":null}"#)
    }

    @Test func writesPrettyOutputWithTwoSpaceIndent() {
        let value = object(("a", .array([number("1"), object(("b", .null))])), ("c", .object(JSONObject())), ("d", .array([])))
        #expect(text(value, .pretty) == """
        {
          "a": [
            1,
            {
              "b": null
            }
          ],
          "c": {},
          "d": []
        }
        """)
        #expect(text(.string("x"), .pretty) == #""x""#)
    }

    @Test func canonicalOutputSortsKeysByTheirUTF8Bytes() {
        let value = object(("é", number("1")), ("b", number("2")), ("B", number("3")), ("a", object(("z", .null), ("y", .null))), ("", .null))
        #expect(text(value, .canonical) == #"{"":null,"B":3,"a":{"y":null,"z":null},"b":2,"é":1}"#)
    }

    @Test func canonicalOutputIsStableRegardlessOfInputKeyOrder() throws {
        let members: [(key: String, value: JSONValue)] = [
            ("model", .string("m")), ("temperature", number("0.5")), ("stream", .bool(false)),
            ("nested", object(("y", number("1")), ("x", number("2")))), ("ä", .null), ("A", .array([])),
        ]
        let reference = JSONWriter.write(.object(JSONObject(members)), options: [.canonical, .pretty])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            var shuffled = members.shuffled(using: &generator)
            shuffled = shuffled.map { member in
                guard case .object(let inner) = member.value else { return member }
                return (member.key, .object(JSONObject(inner.members.shuffled(using: &generator))))
            }
            #expect(JSONWriter.write(.object(JSONObject(shuffled)), options: [.canonical, .pretty]) == reference)
        }
        // And canonical output is a fixed point: writing what it parses to gives the same bytes.
        #expect(JSONWriter.write(try JSONParser.parse(reference), options: [.canonical, .pretty]) == reference)
    }

    @Test func canonicalOutputKeepsTheOrderOfDuplicateKeys() {
        let value = object(("b", number("1")), ("a", number("2")), ("b", number("3")))
        #expect(text(value, .canonical) == #"{"a":2,"b":1,"b":3}"#)
    }

    @Test func numbersAreWrittenAsTheirLiteralAndInvalidLiteralsAsNull() {
        #expect(text(.array([number("1.50"), number("-0"), number("1E+2")])) == "[1.50,-0,1E+2]")
        #expect(text(.array([number("1."), number("abc"), number(""), number("01"), number("1 ")])) == "[null,null,null,null,null]")
    }

    @Test func roundTripsARealisticChatCompletionRequestAndResponse() throws {
        for source in [chatRequestText, chatResponseText] {
            let value = try JSONParser.parse(source)
            for options: JSONWriter.Options in [[], .pretty] {
                #expect(try JSONParser.parse(JSONWriter.write(value, options: options)) == value)
            }
            let canonical = JSONWriter.write(value, options: .canonical)
            #expect(JSONWriter.write(try JSONParser.parse(canonical), options: .canonical) == canonical)
        }
        let request = try JSONParser.parse(chatRequestText)
        guard case .object(let members) = request else { Issue.record("not an object"); return }
        #expect(members["seed"] == number("-12345678901234567890"))
        #expect(members["max_tokens"].flatMap { if case .number(let n) = $0 { n.int } else { nil } } == 512)
    }

    @Test func appendStringQuotesAndEscapesAnyStringProtocol() {
        #expect(appended { JSONWriter.appendString("say \"hi\"\n", to: &$0) } == #""say \"hi\"\n""#)
        let text = "prefix-modèle-suffix"
        #expect(appended { JSONWriter.appendString(text.dropFirst(7).dropLast(7), to: &$0) } == #""modèle""#)
        #expect(appended { JSONWriter.appendString("", to: &$0) } == #""""#)
    }

    @Test func appendBytesAsStringReplacesIllFormedUTF8() throws {
        let bytes: [UInt8] = [0x61, 0xC0, 0xAF, 0x22, 0xE2, 0x82, 0x0A, 0xF0, 0x9F, 0x98, 0x80, 0xFF]
        let output = appended { out in bytes.withUnsafeBytes { JSONWriter.appendBytesAsString($0, to: &out) } }
        #expect(output == "\"a\u{FFFD}\u{FFFD}\\\"\u{FFFD}\\n😀\u{FFFD}\"")
        #expect(try JSONParser.parse(output) == .string("a\u{FFFD}\u{FFFD}\"\u{FFFD}\n😀\u{FFFD}"))
    }

    @Test func appendIntWritesEveryIntegerWidth() {
        #expect(appended { JSONWriter.appendInt(0, to: &$0) } == "0")
        #expect(appended { JSONWriter.appendInt(-7, to: &$0) } == "-7")
        #expect(appended { JSONWriter.appendInt(Int.min, to: &$0) } == "-9223372036854775808")
        #expect(appended { JSONWriter.appendInt(Int.max, to: &$0) } == "9223372036854775807")
        #expect(appended { JSONWriter.appendInt(UInt64.max, to: &$0) } == "18446744073709551615")
        #expect(appended { JSONWriter.appendInt(Int8.min, to: &$0) } == "-128")
        #expect(appended { $0 = Array("x=".utf8); JSONWriter.appendInt(1200, to: &$0) } == "x=1200")
    }

    @Test func appendDoubleWritesShortestRoundTripTextAndNullForNonFinite() throws {
        for value in [0.0, -0.0, 1.0, 1.5, 0.1, 1e-5, 123456.789, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -2.5e-300, 1e16] {
            let output = appended { JSONWriter.appendDouble(value, to: &$0) }
            let parsed = try JSONParser.parse(output)
            guard case .number(let literal) = parsed else { Issue.record("\(output) is not a number"); continue }
            #expect(literal.double == value, "\(output)")
            #expect(literal.double?.sign == value.sign)
        }
        #expect(appended { JSONWriter.appendDouble(0.1, to: &$0) } == "0.1")
        #expect(appended { JSONWriter.appendDouble(.infinity, to: &$0) } == "null")
        #expect(appended { JSONWriter.appendDouble(-.infinity, to: &$0) } == "null")
        #expect(appended { JSONWriter.appendDouble(.nan, to: &$0) } == "null")
    }

    @Test func appendHelpersBuildAnErrorBodyWithoutATree() throws {
        let message = "model \"gpt-5\" is not allowed"
        let body = appended { out in
            out.append(contentsOf: #"{"error":{"message":"#.utf8)
            JSONWriter.appendString(message, to: &out)
            out.append(contentsOf: #","type":"invalid_request_error","param":null,"code":"#.utf8)
            JSONWriter.appendInt(403, to: &out)
            out.append(contentsOf: "}}".utf8)
        }
        #expect(try JSONParser.parse(body) == object(("error", object(
            ("message", .string(message)), ("type", .string("invalid_request_error")), ("param", .null), ("code", number("403"))))))
    }
}
