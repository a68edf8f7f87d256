import Testing
@testable import ProxyCore

/// What the engine matches, beyond the corpus: Unicode, case, flags, invalid UTF-8, program sizes.
@Suite struct RegexMatchingTests {
    @Test func leftmostFirstPrioritiesDecideWhereAMatchEnds() throws {
        #expect(try firstMatchText("a+", "baaab") == "aaa")
        #expect(try firstMatchText("a+?", "baaab") == "a")
        #expect(try firstMatchText("a{2,3}?", "aaaa") == "aa")
        #expect(try firstMatchText("gpt|gpt-4o", "gpt-4o") == "gpt", "the first alternative that matches wins, as in Python")
        #expect(try firstMatchText("(?:gpt-4o|gpt)-mini", "gpt-4o-mini") == "gpt-4o-mini")
    }

    @Test func wholeMatchIsWhatRoutesUse() throws {
        let regex = try LinearRegex("gpt-4o(-mini)?")
        #expect(regex.wholeMatch("gpt-4o") && regex.wholeMatch("gpt-4o-mini"))
        #expect(!regex.wholeMatch("gpt-4o-mini-2024") && !regex.wholeMatch("xgpt-4o"))
        #expect(regex.containsMatch(in: "xgpt-4o"), "searching finds it inside")
        #expect(try LinearRegex("").wholeMatch(""))
        #expect(try !LinearRegex("a|").wholeMatch("b"))
    }

    @Test func caseInsensitivityFoldsUnicodeSimpleCasesAsPythonDoes() throws {
        let kelvin = try LinearRegex("(?i)k")
        #expect(kelvin.wholeMatch("K") && kelvin.wholeMatch("k") && kelvin.wholeMatch("\u{212A}"), "KELVIN SIGN folds to k")
        let sigma = try LinearRegex("(?i)σ+")
        #expect(sigma.wholeMatch("ΣσςΣ"))
        #expect(try LinearRegex("(?i)été").wholeMatch("ÉTÉ"))
        #expect(try LinearRegex("(?i)[à-ÿ]+").wholeMatch("ÀÉÎ"), "class ranges fold too")
        #expect(try !LinearRegex("(?i)straße").wholeMatch("STRASSE"), "one character never matches two (no full case folding)")
        #expect(try !LinearRegex("(?i)[^a]").wholeMatch("A"), "a negated class folds before it negates")
        #expect(try !LinearRegex(#"(?i)\p{Lu}"#).wholeMatch("a"), "(?i) does not change \\p{…}")
        #expect(try LinearRegex("(?i)世界").wholeMatch("世界"), "caseless scripts are unaffected")
    }

    @Test func inlineFlagsLastToTheEndOfTheirGroup() throws {
        #expect(try LinearRegex("a(?i)b").wholeMatch("aB"))
        #expect(try !LinearRegex("a(?i)b").wholeMatch("AB"))
        #expect(try !LinearRegex("((?i)a)b").wholeMatch("AB"))
        #expect(try LinearRegex("((?i)a)b").wholeMatch("Ab"))
        #expect(try LinearRegex("(?i:a)b").wholeMatch("Ab") && !LinearRegex("(?i:a)b").wholeMatch("AB"))
        #expect(try LinearRegex("(?i)a(?-i:b)c").wholeMatch("AbC") && !LinearRegex("(?i)a(?-i:b)c").wholeMatch("ABC"))
        #expect(try LinearRegex("(?s)a.b").wholeMatch("a\nb") && !LinearRegex("a.b").wholeMatch("a\nb"))
    }

    @Test func anchorsFollowPythonIncludingTheFinalNewline() throws {
        #expect(try firstMatchText("a$", "a\n") == "a", "$ matches before a final newline")
        #expect(try !LinearRegex(#"a\z"#).containsMatch(in: "a\n"), #"\z only at the very end"#)
        #expect(try !LinearRegex("a$").containsMatch(in: "a\nb"))
        #expect(try LinearRegex("(?m)^b$").containsMatch(in: "a\nb\nc"))
        #expect(try !LinearRegex("^b").containsMatch(in: "a\nb"))
        #expect(try firstMatchText(#"\bfoo\b"#, "a foo_bar foo.") == "foo")
        #expect(try LinearRegex(#"\bfoo\b"#).firstMatch(in: "a foo_bar foo.") == 10..<13)
        #expect(try firstMatchText(#"\b世界\b"#, "你好世界") == nil, "CJK letters are word characters")
        #expect(try firstMatchText(#"\B界"#, "世界") == "界")
    }

    @Test func unicodeClassesCoverLettersNumbersAndHan() throws {
        #expect(try firstMatchText(#"\p{Han}+"#, "日本語のテキスト") == "日本語")
        #expect(try firstMatchText(#"\p{Han}+"#, "𠀀𪜀 (ext B)") == "𠀀𪜀", "four-byte ideographs")
        #expect(try firstMatchText(#"\p{L}+"#, "123 Ωμέγα!") == "Ωμέγα")
        #expect(try firstMatchText(#"\p{N}+"#, "ratio ½ or Ⅻ") == "½")
        #expect(try firstMatchText(#"\d+"#, "x١٢٣y") == "١٢٣", #"\d is any decimal digit, as in Python"#)
        #expect(try firstMatchText(#"\w+"#, "  naïve_世界1 ") == "naïve_世界1")
        #expect(try firstMatchText(#"\s+"#, "a\u{3000}\u{A0}b") == "\u{3000}\u{A0}")
        #expect(try firstMatchText(#"[\x{1F600}-\x{1F64F}]+"#, "ok 😀😃!") == "😀😃")
        #expect(try firstMatchText(#"[^\x00-\x7F]+"#, "café") == "é")
        #expect(try firstMatchText(#"\P{L}+"#, "ab12cd") == "12")
        #expect(try firstMatchText(#"[\p{Han}\p{N}]+"#, "第3章") == "第3章")
    }

    @Test func invalidUTF8MatchesNothingButLiteralsAroundItStillDo() throws {
        let input: [UInt8] = [0x61, 0xFF, 0x62, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0x63]  // a, bad, b, overlong NUL, surrogate, c
        let b = try LinearRegex("b"), dot = try LinearRegex("a.b"), pair = try LinearRegex("[^x]{2}")
        let notLetter = try LinearRegex(#"\P{L}"#), c = try LinearRegex("c"), all = try LinearRegex("(?s).*")
        input.withUnsafeBytes { bytes in
            #expect(b.firstMatch(in: bytes) == 2..<3)
            #expect(dot.firstMatch(in: bytes) == nil, ". never matches an invalid byte")
            #expect(pair.firstMatch(in: bytes) == nil, "no two valid scalars are adjacent")
            #expect(notLetter.firstMatch(in: bytes) == nil)
            #expect(c.firstMatch(in: bytes) == 8..<9)
            #expect(!all.wholeMatch(bytes))
        }
    }

    @Test func escapesAndLiteralBracesFollowPython() throws {
        #expect(try firstMatchText(#"a{"#, "xa{") == "a{", "a brace that starts no repetition is literal")
        #expect(try firstMatchText(#"a{,2}"#, "aaa") == "aa")
        #expect(try firstMatchText(#"\x41\u00e9\x{1F600}\t"#, "Aé😀\t") == "Aé😀\t")
        #expect(try firstMatchText(#"[]a]+"#, "x]a]") == "]a]")
        #expect(try firstMatchText(#"[a-]+"#, "x-a-") == "-a-")
        #expect(try firstMatchText(#"\.\*\+\?\(\)\[\]\{\}\|\\\^\$"#, #".*+?()[]{}|\^$"#) != nil)
        #expect(try firstMatchText("a(?#comment)*", "aaa") == "aaa", "comments are transparent, as in Python")
        #expect(try firstMatchText("(?P<name>x)(?<other>y)", "xy") == "xy", "named groups only group")
    }

    @Test func smallMidSizedAndLargeProgramsGiveTheSameAnswers() throws {
        // Small programs use stack scratch, mid-sized ones an inline array, large ones the heap: same answers.
        let words = (0..<400).map { "word\($0)" }
        let large = try LinearRegex(#"\b(?:"# + words.joined(separator: "|") + #")\b"#)
        #expect(large.program.instructions.count > 2048)
        #expect(large.firstMatch(in: "say word399 now") == 4..<11)
        #expect(!large.containsMatch(in: "say word400 now"))
        let middle = try LinearRegex(#"\b(?:\d[ -]*?){13,16}\b"#)
        #expect(middle.program.instructions.count > 100 && middle.program.instructions.count < 2048)
        #expect(try firstMatchText(middle.pattern, "card 4111 1111 1111 1111 ok") == "4111 1111 1111 1111")
    }
}
