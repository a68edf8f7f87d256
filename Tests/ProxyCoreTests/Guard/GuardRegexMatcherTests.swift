import Testing
@testable import ProxyCore

/// Regexes as a streaming matcher: the same matches for any chunking, a bounded hold-back.
@Suite struct GuardRegexMatcherTests {
    static func rules(_ patterns: [String]) throws -> [GuardScanRule] {
        [GuardScanRule(matcher: GuardRegexMatcher(try patterns.map { try LinearRegex($0) }), replacement: Array("#".utf8))]
    }

    @Test func everyCutGivesTheSameOutputAsTheWholeText() throws {
        let rules = try Self.rules(["ORD-[0-9]{6}", "(?i)secret [a-z]+"])
        let text = Array("see ORD-123456, then Secret sauce and ORD-12 and ORD-999999".utf8)
        let whole = GuardStreamScanner.scan(text, rules: rules)
        #expect(String(decoding: whole.output, as: UTF8.self) == "see #, then # and ORD-12 and #")
        for cut in 0...text.count {
            #expect(GuardTestSupport.scanChunked(text, cuts: [cut], rules: rules) == whole)
        }
        #expect(GuardTestSupport.scanChunked(text, cuts: Array(stride(from: 1, to: text.count, by: 1)), rules: rules) == whole)
    }

    @Test func aLongMatchIsCutAtTheBound() throws {
        let rules = try Self.rules(["a+"])
        let text = Array(String(repeating: "a", count: 600).utf8)
        let result = GuardStreamScanner.scan(text, rules: rules)
        #expect(result.matches.map(\.range.count) == [256, 256, 88])
        #expect(GuardTestSupport.scanChunked(text, cuts: [100, 300, 301], rules: rules) == result)
    }
}
