import Testing
@testable import ProxyCore

@Suite struct GuardKeywordMatcherTests {
    private func matches(_ keywords: [String], in text: String) throws -> [String] {
        let matcher = try GuardKeywordMatcher(keywords: keywords)
        let bytes = Array(text.utf8)
        return GuardStreamScanner.scan(bytes, rules: [GuardScanRule(matcher: matcher)]).matches.map {
            String(decoding: bytes[$0.range], as: UTF8.self)
        }
    }

    @Test func asciiKeywordsMatchInAnyCase() throws {
        #expect(try matches(["password", "Secret"], in: "My PASSWORD is a sEcReT.") == ["PASSWORD", "sEcReT"])
    }

    @Test func chineseKeywordsMatchInsideChineseText() throws {
        #expect(try matches(["机密", "内部资料"], in: "这是公司的内部资料，属于机密。") == ["内部资料", "机密"])
    }

    @Test func mixedScriptKeywordsMatchAcrossTheScriptChange() throws {
        #expect(try matches(["GPT模型", "Project凤凰"], in: "我们的gpt模型和PROJECT凤凰计划") == ["gpt模型", "PROJECT凤凰"])
    }

    @Test func latinOneGreekAndCyrillicCapitalsFoldToSmallLetters() throws {
        #expect(try matches(["école", "αθήνα", "москва", "ёж", "łódź"], in: "ÉCOLE, ΑΘΉΝΑ, МОСКВА, ЁЖ, ŁÓDŹ")
            == ["ÉCOLE", "ΑΘΉΝΑ", "МОСКВА", "ЁЖ", "ŁÓDŹ"])
    }

    @Test func greekFinalSigmaMatchesSigma() throws {
        #expect(try matches(["λογοσ"], in: "ΛΌΓΟΣ λογος") == ["λογος"])
    }

    @Test func fullWidthLatinIsNotFoldedToASCII() throws {
        #expect(try matches(["abc"], in: "ＡＢＣ") == [])
    }

    @Test func theLongestOfOverlappingKeywordsAtTheSameStartWins() throws {
        let matcher = try GuardKeywordMatcher(keywords: ["he", "hers", "she"])
        let text = Array("ushers".utf8)
        let result = GuardStreamScanner.scan(text, rules: [GuardScanRule(matcher: matcher)])
        // "she" starts first; "hers" overlaps it and is dropped.
        #expect(result.matches == [GuardMatch(range: 1..<4, rule: 0, pattern: 2)])
    }

    @Test func manyKeywordsAllMatchInOnePass() throws {
        let keywords = (0..<1000).map { "word\($0)x" }
        let text = "a word17x b WORD999X c word1000x"
        #expect(try matches(keywords, in: text) == ["word17x", "WORD999X"])
    }

    @Test func listsOverTheCapsAreRefused() {
        #expect(throws: GuardKeywordError.empty(index: 1)) { try GuardKeywordMatcher(keywords: ["a", ""]) }
        #expect(throws: GuardKeywordError.tooLong(index: 0, bytes: 257)) {
            try GuardKeywordMatcher(keywords: [String(repeating: "a", count: 257)])
        }
        #expect(throws: GuardKeywordError.tooMany(count: 10_001)) {
            try GuardKeywordMatcher(keywords: [String](repeating: "a", count: 10_001))
        }
    }

    @Test func maxMatchLengthIsTheLongestKeywordInBytes() throws {
        #expect(try GuardKeywordMatcher(keywords: ["ab", "机密"]).maxMatchLength == 6)
    }
}
