import Testing
@testable import ProxyCore

/// What the engine refuses, and the message that says why and where.
@Suite struct RegexRejectionTests {
    struct Refusal: CustomTestStringConvertible, Sendable {
        let pattern: String
        let kind: RegexSyntaxError.Kind
        let message: String
        var testDescription: String { pattern }
    }

    static let backtrackingFeatures: [Refusal] = [
        .init(pattern: #"(a)\1"#, kind: .unsupported, message: #"a backreference "\\1" at position 3 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: #"(?P<x>a)(?P=x)"#, kind: .unsupported, message: #"a backreference "(?P=" at position 8 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: #"(?<x>a)\k<x>"#, kind: .unsupported, message: #"a backreference "\\k<x>" at position 7 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "gpt(?=-4)", kind: .unsupported, message: #"lookahead "(?=" at position 3 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "gpt(?!-4)", kind: .unsupported, message: #"negative lookahead "(?!" at position 3 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "(?<=a)b", kind: .unsupported, message: #"lookbehind "(?<=" at position 0 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "(?<!a)b", kind: .unsupported, message: #"negative lookbehind "(?<!" at position 0 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "(?>a+)b", kind: .unsupported, message: #"an atomic group "(?>" at position 0 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "a++b", kind: .unsupported, message: #"a possessive quantifier "++" at position 1 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "a{2,3}+", kind: .unsupported, message: #"a possessive quantifier "{2,3}+" at position 1 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "(a)?(?(1)b|c)", kind: .unsupported, message: #"a conditional group "(?(" at position 4 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
        .init(pattern: "a(?R)?b", kind: .unsupported, message: #"a recursive pattern "(?R" at position 1 is not supported: it needs backtracking, and Sluice regexes match in linear time"#),
    ]

    static let otherRefusals: [Refusal] = [
        .init(pattern: "gpt-(4", kind: .malformed, message: #"missing ")" for the group opened at position 4"#),
        .init(pattern: "[a-", kind: .malformed, message: #"missing "]" for the class opened at position 0"#),
        .init(pattern: "a)", kind: .malformed, message: #"unbalanced parenthesis ")" at position 1"#),
        .init(pattern: "*a", kind: .malformed, message: "nothing to repeat at position 0"),
        .init(pattern: #"\b+"#, kind: .malformed, message: "nothing to repeat at position 2"),
        .init(pattern: "a**", kind: .malformed, message: "multiple repeat at position 2"),
        .init(pattern: "a{3,2}", kind: .malformed, message: "min repeat greater than max repeat at position 2"),
        .init(pattern: "[z-a]", kind: .malformed, message: #"bad character range "z-a" at position 1"#),
        .init(pattern: #"[\d-z]"#, kind: .malformed, message: #"bad character range "\\d-" at position 1"#),
        .init(pattern: #"\q"#, kind: .malformed, message: #"unknown escape "\\q" at position 0"#),
        .init(pattern: #"\x4"#, kind: .malformed, message: #"incomplete escape "\\x4" at position 0"#),
        .init(pattern: #"\x{110000}"#, kind: .malformed, message: #""\\x{110000}" is past U+10FFFF at position 0"#),
        .init(pattern: #"\ud800"#, kind: .malformed, message: #""\\ud800" is a surrogate, not a Unicode scalar at position 0"#),
        .init(pattern: #"(?P<1a>x)"#, kind: .malformed, message: #"bad character in group name "1a" at position 4"#),
        .init(pattern: "(?P<a>x)(?P<a>y)", kind: .malformed, message: #"redefinition of group name "a" at position 12"#),
        .init(pattern: "(?i-i:a)", kind: .malformed, message: "bad inline flags: flag turned on and off at position 4"),
        .init(pattern: #"\Z"#, kind: .unsupported, message: #"the anchor "\\Z" at position 0 is not supported: regex flavours disagree on it; write "\z" for the end of the text or "$" for the end or a final newline"#),
        .init(pattern: "(?x)a b", kind: .unsupported, message: #"the flag "x" at position 2 is not supported: the flags are i (case-insensitive), m (multi-line) and s (dot matches newline)"#),
        .init(pattern: "[[:alpha:]]", kind: .unsupported, message: #"a nested class "[" at position 1 is not supported: escape it as \[ to mean the character; nested classes and POSIX classes such as [:alpha:] are not available (use \p{…})"#),
        .init(pattern: "[a-z&&[^aeiou]]", kind: .unsupported, message: #"the set operation "&&" at position 4 is not supported: escape it as \& to mean the character"#),
        .init(pattern: #"\p{Greek}"#, kind: .unsupported, message: #"the Unicode property "\\p{Greek}" at position 0 is not supported: the properties are the general categories (L, Lu, Ll, Lt, Lm, Lo, M, N, Nd, Nl, No, P, S, Z, C and their two-letter forms, or long names such as Letter) and the script Han"#),
        .init(pattern: #"\012"#, kind: .unsupported, message: #"the octal escape "\\012" at position 0 is not supported: write "\x…" instead"#),
        .init(pattern: #"\N{DIGIT ONE}"#, kind: .unsupported, message: #"a character name "\\N{" at position 0 is not supported: write the character itself or "\x{…}""#),
    ]

    @Test(arguments: backtrackingFeatures + otherRefusals)
    func patternIsRefusedWithAMessageNamingTheFeatureAndPosition(_ refusal: Refusal) {
        let error = regexError(refusal.pattern)
        #expect(error?.kind == refusal.kind)
        #expect(error?.description == refusal.message)
    }

    @Test func limitsBoundPatternRepetitionNestingAndProgramSize() {
        #expect(regexError("a{1000}") == nil)
        #expect(regexError("a{1001}")?.description == "repetition count 1001 at position 2 is greater than the maximum 1000")
        #expect(regexError("a{2,99999999999999999999}")?.description == "repetition count 99999999999999999999 at position 4 is greater than the maximum 1000",
                "huge counts saturate instead of overflowing")
        #expect(regexError(String(repeating: "a", count: 4097))?.description == "the pattern is 4097 bytes long; the maximum is 4096")
        #expect(regexError(String(repeating: "(", count: 101) + String(repeating: ")", count: 101))?.description
                == "groups nested deeper than 100 at position 100")
        #expect(regexError("(?:a{1000}){1000}")?.description
                == "the pattern compiles to more than 10000 instructions; lower its repetition counts or split it")
        #expect(regexError(#"(?:\w{100}){100}"#)?.kind == .tooLarge)
        for error in [regexError("a{1001}"), regexError("(?:a{1000}){1000}")] { #expect(error?.kind == .tooLarge) }
    }
}
