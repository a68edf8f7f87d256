import Testing
import ProxyCore
@testable import KubeYAML

/// Malformed input: each case names the line, column and message the user sees.
@Suite struct YAMLReaderErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: String
        let line: Int
        let column: Int
        let message: String
        var testDescription: String { message }
    }

    static let cases: [Case] = [
        Case(input: "a:\n  b: 1\n c: 2\n", line: 3, column: 2, message: "bad indentation of a mapping entry"),
        Case(input: "a: 1\n  b: 2\n", line: 2, column: 3, message: "bad indentation of a mapping entry"),
        Case(input: "  a: 1\nb: 2\n", line: 2, column: 1, message: "bad indentation of a mapping entry"),
        Case(input: "list:\n  - name: x\n    sub:\n      - 1\n   - 2\n", line: 5, column: 4, message: "bad indentation of a sequence entry"),
        Case(input: "a:\n\tb: 1\n", line: 2, column: 1, message: "tab character used for indentation"),
        Case(input: "a:\n  b: 1\n  \tc: 2\n", line: 3, column: 3, message: "tab character used for indentation"),
        Case(input: "name: \"abc\nnext: 1\n", line: 1, column: 7, message: "unterminated double-quoted scalar"),
        Case(input: "name: 'abc\n", line: 1, column: 7, message: "unterminated single-quoted scalar"),
        Case(input: "a: \"x\n---\ny\"\n", line: 1, column: 4, message: "unterminated double-quoted scalar"),
        Case(input: "args: [a, b\nnext: 1\n", line: 1, column: 7, message: "unclosed flow sequence"),
        Case(input: "env: {A: 1,\n  B: 2\n", line: 1, column: 6, message: "unclosed flow mapping"),
        Case(input: "a: [1 2}\n", line: 1, column: 8, message: "expected ',' or ']'"),
        Case(input: "metadata:\n  name: a\n  name: b\n", line: 3, column: 3, message: "duplicate key \"name\""),
        Case(input: "{a: 1, a: 2}\n", line: 1, column: 8, message: "duplicate key \"a\""),
        Case(input: "base: &base {a: 1}\n", line: 1, column: 7, message: "anchor \"&base\""),
        Case(input: "a: 1\nb: *base\n", line: 2, column: 4, message: "alias \"*base\""),
        Case(input: "a: !!str 5\n", line: 1, column: 4, message: "tag \"!!str\""),
        Case(input: "- !custom x\n", line: 1, column: 3, message: "tag \"!custom\""),
        Case(input: "a: [&x 1]\n", line: 1, column: 5, message: "anchor \"&x\""),
        Case(input: "a:\n  <<: {b: 1}\n", line: 2, column: 3, message: "merge keys ('<<') are not supported"),
        Case(input: "replicas: .inf\n", line: 1, column: 11, message: "'.inf' (infinity or not-a-number) cannot be represented in JSON"),
        Case(input: "%YAML 1.2\n---\na: 1\n", line: 1, column: 1, message: "directives (%YAML, %TAG) are not supported"),
        Case(input: "? complex\n: key\n", line: 1, column: 1, message: "explicit mapping keys"),
        Case(input: "[a]: b\n", line: 1, column: 1, message: "a mapping key must be a scalar"),
        Case(input: "a: b: c\n", line: 1, column: 5, message: "mapping values are not allowed here"),
        Case(input: "a: - b\n", line: 1, column: 4, message: "a block sequence cannot start on the same line"),
        Case(input: "a: 1\n- b\n", line: 2, column: 1, message: "expected a mapping entry (key: value), found a sequence entry"),
        Case(input: "a: 1\nplain line\n", line: 2, column: 1, message: "found a line without ':'"),
        Case(input: "a: \"\\q\"\n", line: 1, column: 5, message: "unknown escape sequence '\\q'"),
        Case(input: "a: \"\\uD800\"\n", line: 1, column: 5, message: "not a valid Unicode code point"),
        Case(input: "a: \"\\x4\"\n", line: 1, column: 5, message: "needs 2 hexadecimal digits"),
        Case(input: "a: |0\n  x\n", line: 1, column: 5, message: "between 1 and 9"),
        Case(input: "a: |x\n", line: 1, column: 5, message: "invalid block scalar header"),
        Case(input: "a: \"x\" y\n", line: 1, column: 8, message: "unexpected content after a quoted scalar"),
        Case(input: "a: @x\n", line: 1, column: 4, message: "'@' is reserved"),
        Case(input: "a: 0x10000000000000000\n", line: 1, column: 4, message: "does not fit in 64 bits"),
        Case(input: "a: b\u{01}\n", line: 1, column: 5, message: "control character 0x01"),
        Case(input: "\"k\ney\": v\n", line: 1, column: 1, message: "a mapping key must fit on one line"),
        Case(input: "a: 1\n...\nb\n---\nc: [\n", line: 5, column: 4, message: "unclosed flow sequence"),
    ]

    @Test(arguments: cases)
    func malformedInputIsRejectedWithLineColumnAndMessage(_ testCase: Case) {
        do {
            let documents = try YAMLReader.readDocuments(testCase.input)
            Issue.record("expected an error, read \(documents)")
        } catch {
            #expect(error.message.contains(testCase.message), "\(error)")
            #expect(error.line == testCase.line && error.column == testCase.column, "\(error)")
        }
    }

    @Test func invalidUTF8IsRejected() {
        #expect(throws: YAMLError(line: 2, column: 4, message: "invalid UTF-8 byte 0xFF")) {
            try YAMLReader.readDocuments(Array("a: 1\nb: ".utf8) + [0xFF])
        }
    }

    @Test func columnsCountCharactersNotBytes() {
        #expect {
            try YAMLReader.readDocuments("ünïcödé: \"x\" y\n")
        } throws: { error in
            (error as? YAMLError)?.column == 14
        }
    }

    @Test func billionLaughsFailsAtTheFirstAnchor() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1..<10 {
            let previous = Character(Unicode.Scalar(UInt8(0x60 + level)))
            let name = Character(Unicode.Scalar(UInt8(0x61 + level)))
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        #expect(throws: YAMLError(line: 1, column: 4, message: "anchors are not supported (found anchor \"&a\"); repeat the content instead")) {
            try YAMLReader.readDocuments(text)
        }
    }

    @Test func deepNestingFailsFastAtTheDepthLimit() {
        let flow = String(repeating: "[", count: 100_000)
        #expect {
            try YAMLReader.readDocuments(flow)
        } throws: { error in
            (error as? YAMLError)?.message.contains("nested deeper than the limit of 128") == true
        }
        var block = ""
        for level in 0..<200 { block += String(repeating: " ", count: level) + "k:\n" }
        #expect {
            try YAMLReader.readDocuments(block)
        } throws: { error in
            (error as? YAMLError)?.line == 129
        }
    }

    @Test func limitsCapInputSizeAndDocumentCount() {
        let limits = YAMLReader.Limits(maxInputBytes: 10, maxDepth: 4, maxDocuments: 2)
        #expect(throws: YAMLError.self) { try YAMLReader.readDocuments("a: 12345678901\n", limits: limits) }
        #expect(throws: YAMLError.self) { try YAMLReader.readDocuments("1\n---\n2\n---\n3", limits: limits) }
        #expect(throws: YAMLError.self) { try YAMLReader.readDocuments("[[[[[1]]]]]", limits: limits) }
    }
}
