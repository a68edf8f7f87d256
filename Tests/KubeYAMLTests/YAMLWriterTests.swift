import Testing
import ProxyCore
@testable import KubeYAML

/// The writer: layout, quoting, block scalars, and round trips through the reader.
@Suite struct YAMLWriterTests {
    @Test func writesBlockStyleWithSequencesAtTheKeysIndentation() {
        let manifest = object([
            "apiVersion": .string("v1"),
            "kind": .string("Pod"),
            "metadata": object(["name": .string("demo"), "labels": object([:])]),
            "spec": object([
                "containers": .array([
                    object([
                        "name": .string("app"),
                        "args": .array([.string("--port"), .string("8080")]),
                        "ports": .array([object(["containerPort": number("8080")])]),
                    ]),
                ]),
                "matrix": .array([.array([number("1"), number("2")]), .array([])]),
                "enabled": .bool(true),
                "nothing": .null,
            ]),
        ])
        #expect(YAMLWriter.write(manifest) == """
            apiVersion: v1
            kind: Pod
            metadata:
              name: demo
              labels: {}
            spec:
              containers:
              - name: app
                args:
                - --port
                - "8080"
                ports:
                - containerPort: 8080
              matrix:
              - - 1
                - 2
              - []
              enabled: true
              nothing: null

            """)
    }

    static let quoting: [(String, String)] = [
        ("plain", "plain"), ("two words", "two words"), ("a:b", "a:b"), ("a#b", "a#b"), ("http://x/y", "http://x/y"),
        ("héllo", "héllo"), ("v1.2.3", "v1.2.3"), ("250m", "250m"),
        ("", #""""#), ("true", #""true""#), ("False", #""False""#), ("null", #""null""#), ("~", #""~""#),
        ("123", #""123""#), ("-1.5", #""-1.5""#), ("0x1F", #""0x1F""#), (".inf", #"".inf""#), (".nan", #"".nan""#),
        ("yes", #""yes""#), ("No", #""No""#), ("on", #""on""#), ("OFF", #""OFF""#), ("y", #""y""#),
        ("0777", #""0777""#), ("1_000", #""1_000""#), ("12:30", #""12:30""#), ("2024-01-01", #""2024-01-01""#),
        (" lead", #"" lead""#), ("trail ", #""trail ""#), ("a: b", #""a: b""#), ("key:", #""key:""#), ("a #b", #""a #b""#),
        ("-x", "-x"), ("--port", "--port"), ("- x", #""- x""#), ("-", #""-""#), ("?x", "?x"), (":x", ":x"), ("---x", #""---x""#), (",x", #"",x""#), ("[x", #""[x""#),
        ("]x", #""]x""#), ("{x", #""{x""#), ("}x", #""}x""#), ("#x", ##""#x""##), ("&x", #""&x""#), ("*x", #""*x""#),
        ("!x", #""!x""#), ("|x", #""|x""#), (">x", #"">x""#), ("'x", #""'x""#), ("\"x", #""\"x""#), ("%x", #""%x""#),
        ("@x", #""@x""#), ("`x", #""`x""#), ("<<", #""<<""#), ("...x", #""...x""#),
        ("tab\there", #""tab\there""#), ("back\\slash \"q\"", #"back\slash "q""#), ("cr\r", #""cr\r""#),
        ("bell\u{7}", #""bell\a""#), ("nul\u{0}", #""nul\0""#), ("del\u{7F}", #""del\x7F""#), ("nel\u{85}", #""nel\N""#),
        ("ls\u{2028}", #""ls\L""#), ("bom\u{FEFF}", #""bom\uFEFF""#), ("\n", #""\n""#), ("\n\n", #""\n\n""#),
    ]

    @Test(arguments: quoting)
    func stringsAreQuotedWheneverPlainWouldReadBackDifferently(text: String, expected: String) throws {
        let written = YAMLWriter.write(object(["k": .string(text)]))
        #expect(written == "k: " + expected + "\n")
        #expect(try YAMLReader.readDocuments(written) == [object(["k": .string(text)])])
    }

    @Test func keysAreQuotedByTheSameRules() throws {
        let value = object(["true": number("1"), "": .null, "a: b": .bool(false), "80": .string("http"), "<<": .null])
        #expect(YAMLWriter.write(value) == "\"true\": 1\n\"\": null\n\"a: b\": false\n\"80\": http\n\"<<\": null\n")
        #expect(try YAMLReader.readDocuments(YAMLWriter.write(value)) == [value])
    }

    @Test func multiLineStringsUseLiteralBlocksWithTheRightChomping() throws {
        let value = object([
            "clip": .string("line one\nline two\n"),
            "strip": .string("a\nb"),
            "keep": .string("a\n\n\n"),
            "lead": .string("  indented\nnext\n"),
            "blank": .string("\nafter a blank line"),
            "inner": .array([.string("x\n  y\n")]),
            "tab": .string("\tx\ny"),
        ])
        #expect(YAMLWriter.write(value) == """
            clip: |
              line one
              line two
            strip: |-
              a
              b
            keep: |+
              a


            lead: |2
                indented
              next
            blank: |2-

              after a blank line
            inner:
            - |
              x
                y
            tab: |2-
              \tx
              y

            """)
        #expect(try YAMLReader.readDocuments(YAMLWriter.write(value)) == [value])
    }

    @Test func documentsAreSeparatedByDashes() throws {
        let documents: [JSONValue] = [object(["a": number("1")]), .string("text"), .null, .array([]), object([:]), .string("x\ny")]
        let text = YAMLWriter.write(documents: documents)
        #expect(text == "a: 1\n---\ntext\n---\nnull\n---\n[]\n---\n{}\n---\n|-\n  x\n  y\n")
        #expect(try YAMLReader.readDocuments(text) == documents)
        #expect(YAMLWriter.write(documents: []) == "")
    }

    @Test func readingThenWritingTheManifestsRoundTrips() throws {
        for source in [YAMLReaderManifestTests.bundle, YAMLReaderManifestTests.crd] {
            let documents = try YAMLReader.readDocuments(source)
            let written = YAMLWriter.write(documents: documents)
            #expect(try YAMLReader.readDocuments(written) == documents)
            #expect(YAMLWriter.write(documents: try YAMLReader.readDocuments(written)) == written)
        }
    }

    @Test func generatedValuesRoundTrip() throws {
        var generator = SplitMix(seed: 0x5EED)
        for _ in 0..<300 {
            let value = generator.value(depth: 0)
            let written = YAMLWriter.write(value)
            let read = try YAMLReader.readDocuments(written)
            #expect(read == [value], "\(written)")
        }
    }
}

/// A small deterministic generator of values with awkward strings.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }

    static let pieces = [
        "a", "Z", " ", "  ", "\n", "\t", ":", ": ", "#", " #", "-", "- ", "'", "\"", "\\", "[", "]", "{", "}", ",",
        "true", "null", "1", "0x", ".5", "e3", "~", "é", "😀", "\u{85}", "\u{2028}", "\u{FEFF}", "\u{1}", "\r",
        "---", "...", "|", ">", "&", "*", "!", "%", "@", "`", "?", "<<", "yes", "\n\n",
    ]

    mutating func string() -> String {
        (0..<next(6)).map { _ in Self.pieces[next(Self.pieces.count)] }.joined()
    }

    mutating func value(depth: Int) -> JSONValue {
        switch next(depth > 3 ? 4 : 7) {
        case 0: return .null
        case 1: return .bool(next(2) == 0)
        case 2: return .number(JSONNumber(literal: ["0", "-1", "12.5", "1e-3", "-0.0E+2", "123456789012345678901234567890"][next(6)]))
        case 3: return .string(string())
        case 4, 5:
            var seen = Set<String>()
            var members: [(key: String, value: JSONValue)] = []
            for _ in 0..<next(4) {
                let key = string()
                if seen.insert(key).inserted { members.append((key, value(depth: depth + 1))) }
            }
            return .object(JSONObject(members))
        default:
            return .array((0..<next(4)).map { _ in value(depth: depth + 1) })
        }
    }
}
