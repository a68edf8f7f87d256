import Testing
import ProxyCore
@testable import KubeYAML

/// Scalars: core-schema typing of plain scalars, quoting, escapes, block scalars.
@Suite struct YAMLReaderScalarTests {
    /// Reads `value: <text>` and returns the value.
    private func value(_ text: String) throws -> JSONValue? {
        lookup(try YAMLReader.readDocuments("value: " + text + "\n").first, "value")
    }

    static let typing: [(String, JSONValue)] = [
        ("null", .null), ("Null", .null), ("NULL", .null), ("~", .null), ("", .null),
        ("true", .bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("False", .bool(false)), ("FALSE", .bool(false)),
        ("0", number("0")), ("-12", number("-12")), ("+7", number("7")), ("007", number("7")), ("-0", number("-0")),
        ("123456789012345678901234567890", number("123456789012345678901234567890")),
        ("0o17", number("15")), ("0x1F", number("31")), ("0xff", number("255")),
        ("0xFFFFFFFFFFFFFFFF", number("18446744073709551615")),
        ("1.5", number("1.5")), ("-1.5", number("-1.5")), ("1e3", number("1e3")), ("1.5E-3", number("1.5E-3")),
        (".5", number("0.5")), ("-.5", number("-0.5")), ("+.5e+2", number("0.5e+2")), ("1.", number("1.0")), ("01.50", number("1.50")),
        // YAML 1.2: these stay strings (a YAML 1.1 reader such as kubectl's would type some of them).
        ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("off", .string("off")),
        ("y", .string("y")), ("nulls", .string("nulls")), ("truex", .string("truex")),
        ("0o8", .string("0o8")), ("0xZZ", .string("0xZZ")), ("1_000", .string("1_000")), ("1e", .string("1e")),
        ("12:30", .string("12:30")), ("2024-01-01", .string("2024-01-01")), (".", .string(".")),
        ("--", .string("--")), ("v1.2.3", .string("v1.2.3")), ("250m", .string("250m")),
        ("http://x:80/a?b#c", .string("http://x:80/a?b#c")), ("a:b", .string("a:b")), ("-1x", .string("-1x")),
        ("héllo wörld", .string("héllo wörld")), (".infinity", .string(".infinity")),
    ]

    @Test(arguments: typing)
    func plainScalarIsTypedByTheCoreSchema(text: String, expected: JSONValue) throws {
        #expect(try value(text) == expected)
    }

    @Test(arguments: [".inf", "-.inf", "+.Inf", ".INF", ".nan", ".NaN", ".NAN"])
    func infinityAndNaNAreRefusedBecauseJSONCannotHoldThem(text: String) {
        #expect {
            try value(text)
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.line == 1 && error.column == 8 && error.message.contains("cannot be represented in JSON")
        }
    }

    @Test(arguments: ["'true'", "\"123\"", "'null'", "\"\"", "''", "'~'", "\".inf\"", "|\n  1\n", ">-\n  false\n"])
    func quotedAndBlockScalarsAreAlwaysStrings(text: String) throws {
        guard case .string? = try value(text) else {
            Issue.record("\(text) was not read as a string")
            return
        }
    }

    @Test func keysAreStringsTakenAsWritten() throws {
        #expect(try YAMLReader.readDocuments("80: http\ntrue: x\n~: y\n1.50: z\n") == [object([
            "80": .string("http"), "true": .string("x"), "~": .string("y"), "1.50": .string("z"),
        ])])
    }

    @Test func singleQuotedScalarsEscapeQuotesByDoublingAndFoldLines() throws {
        #expect(try value("'it''s'") == .string("it's"))
        #expect(try value("'a \"b\" \\n'") == .string("a \"b\" \\n"))
        #expect(try value("'one\n  two  \n\n  three'") == .string("one two\nthree"))
    }

    @Test func doubleQuotedScalarsDecodeEveryEscape() throws {
        let escapes = #""\0\a\b\t"# + "\\\t" + #"\n\v\f\r\e\ \"\/\\\N\_\L\P\x41\u00e9\U0001F600""#
        #expect(try value(escapes) == .string("\0\u{7}\u{8}\t\t\n\u{B}\u{C}\r\u{1B} \"/\\\u{85}\u{A0}\u{2028}\u{2029}Aé😀"))
    }

    @Test func doubleQuotedScalarsFoldLinesAndHonourEscapedLineBreaks() throws {
        #expect(try value("\"one   \n   two\n\n  three\"") == .string("one two\nthree"))
        #expect(try value("\"no\\\n   space\"") == .string("nospace"))
        #expect(try value("\"keep \\t\n x\"") == .string("keep \t x"))
    }

    @Test func literalBlockScalarsHonourChompingIndicators() throws {
        #expect(try value("|\n  a\n  b\n\n\nnext: 1") == .string("a\nb\n"))
        #expect(try value("|-\n  a\n  b\n\n") == .string("a\nb"))
        #expect(try value("|+\n  a\n  b\n\n") == .string("a\nb\n\n\n"))
        #expect(try value("|\n  a\n    indented\n  \tb # not a comment\n") == .string("a\n  indented\n\tb # not a comment\n"))
    }

    @Test func explicitIndentationIndicatorKeepsLeadingSpaces() throws {
        #expect(try value("|2\n    four\n  two\n") == .string("  four\ntwo\n"))
        #expect(try value("|1-\n  x\n") == .string(" x"))
        #expect(try value("|-2\n\n   x\n") == .string("\n x"))
        #expect(try YAMLReader.readDocuments("- |2\n   x\n") == [.array([.string(" x\n")])])
    }

    @Test func foldedBlockScalarsJoinLinesButKeepMoreIndentedOnes() throws {
        #expect(try value(">\n  one\n  two\n\n  three\n    code\n  four\n") == .string("one two\nthree\n  code\nfour\n"))
        #expect(try value(">-\n  a\n  b\n") == .string("a b"))
        #expect(try value(">+\n  a\n\n") == .string("a\n\n\n"))
    }

    @Test func blockScalarEndsAtLessIndentedLineAndMayBeEmpty() throws {
        #expect(try YAMLReader.readDocuments("a: |\nb: >\n\nc: x\n") == [object([
            "a": .string(""), "b": .string(""), "c": .string("x"),
        ])])
        #expect(try YAMLReader.readDocuments("a: |+\n\n\nb: 1\n") == [object(["a": .string("\n\n"), "b": number("1")])])
    }

    @Test func spacesWithoutALineBreakAtTheEndOfInputAreNotAnEmptyLine() throws {
        #expect(try YAMLReader.readDocuments("|+\n ") == [.string("")])
        #expect(try YAMLReader.readDocuments("a: |+\n    x\n ") == [object(["a": .string("x\n")])])
        #expect(try YAMLReader.readDocuments("t: |\n .\n  ") == [object(["t": .string(".\n ")])])
        #expect(try YAMLReader.readDocuments("data:\n  c: |\n    \n--- 2\n") == [object(["data": object(["c": .string("")])]), number("2")])
    }

    @Test func blockScalarAtEndOfInputWithoutLineBreakHasNoFinalNewline() throws {
        #expect(try YAMLReader.readDocuments("a: |\n  last") == [object(["a": .string("last")])])
        #expect(try YAMLReader.readDocuments("a: |+\n  last") == [object(["a": .string("last")])])
    }
}
