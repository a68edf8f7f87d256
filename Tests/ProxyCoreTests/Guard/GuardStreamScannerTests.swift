import Testing
@testable import ProxyCore

@Suite struct GuardStreamScannerTests {
    private let keywordRules: [GuardScanRule] = [
        GuardScanRule(matcher: try! GuardKeywordMatcher(keywords: ["机密文件", "Project凤凰", "password"]), replacement: Array("[blocked]".utf8)),
    ]

    private func text(_ step: GuardScanStep) -> String { String(decoding: step.output, as: UTF8.self) }

    @Test(arguments: [2, 3, 10])
    func aKeywordSplitOverSeveralChunksIsFoundAndRedacted(pieces: Int) {
        let input = Array("请勿外传机密文件。".utf8)
        // Cut only inside the keyword (12 bytes from offset 12), so each piece holds part of it.
        let cuts = (1..<pieces).map { 12 + 12 * $0 / pieces }
        let result = GuardTestSupport.scanChunked(input, cuts: cuts, rules: keywordRules)
        #expect(text(result) == "请勿外传[blocked]。")
        #expect(result.matches == [GuardMatch(range: 12..<24, rule: 0, pattern: 0)])
    }

    @Test func aMixedScriptKeywordSplitInsideAChineseCharacterIsFound() {
        let input = Array("the PROJECT凤凰 plan".utf8)
        // Offset 13 is inside 凤 (bytes 11..<14), offset 15 inside 凰.
        let result = GuardTestSupport.scanChunked(input, cuts: [13, 15], rules: keywordRules)
        #expect(text(result) == "the [blocked] plan")
    }

    @Test func textThatCannotStartAMatchIsPassedOnAtOnce() {
        var scanner = GuardStreamScanner(rules: keywordRules)
        #expect(text(scanner.feed("hello wor".utf8)) == "hello wor")
        // "pass" may begin "password": held back.
        #expect(text(scanner.feed("ld, pass".utf8)) == "ld, ")
        #expect(text(scanner.feed("port".utf8)) == "passport")
        #expect(text(scanner.finish()) == "")
    }

    @Test func outputNeverEndsInsideACharacterBeforeTheEnd() {
        var scanner = GuardStreamScanner(rules: GuardTestSupport.detectorRules)
        let bytes = Array("你好".utf8)
        #expect(scanner.feed(bytes[0..<2]).output == [])
        #expect(text(scanner.feed(bytes[2..<4])) == "你")
        #expect(text(scanner.feed(bytes[4..<6])) == "好")
        #expect(text(scanner.finish()) == "")
    }

    @Test func matchesCarryAbsoluteOffsetsAcrossChunks() {
        var scanner = GuardStreamScanner(rules: [GuardScanRule(matcher: GuardDetectorMatcher(.email))])
        _ = scanner.feed(String(repeating: "x ", count: 50).utf8)
        let step = scanner.feed("mail a@b.io ok".utf8)
        #expect(step.matches == [GuardMatch(range: 105..<111, rule: 0, pattern: 0)])
    }

    @Test func aRuleWithoutReplacementReportsButPassesTheTextOn() {
        let rules = [GuardScanRule(matcher: GuardDetectorMatcher(.ipv4))]
        let result = GuardStreamScanner.scan("from 10.1.2.3".utf8, rules: rules)
        #expect(text(result) == "from 10.1.2.3")
        #expect(result.matches.count == 1)
    }

    @Test func everyDetectorRedactsInOneText() {
        let input = """
            Mail zhang@example.com, call +86 138 0013 8000 or 13912345678; ID 11010519491231002X; \
            card 4111-1111-1111-1111; IBAN GB82 WEST 1234 5698 7654 32; hosts 10.0.0.1 and 2001:db8::1; \
            key sk-ant-api03-abcdefghijklmnopqrstuvwxyz and AKIAIOSFODNN7EXAMPLE.
            """
        let result = GuardStreamScanner.scan(input.utf8, rules: GuardTestSupport.detectorRules)
        #expect(text(result) == """
            Mail [email], call [phone] or [chinaMobile]; ID [chinaResidentID]; \
            card [paymentCard]; IBAN [iban]; hosts [ipv4] and [ipv6]; \
            key [apiKey] and [awsAccessKey].
            """)
    }

    @Test func theLeftmostOfOverlappingRulesWinsThenTheFirstRule() {
        let rules = [
            GuardScanRule(matcher: try! GuardKeywordMatcher(keywords: ["0013"]), replacement: Array("K".utf8)),
            GuardScanRule(matcher: GuardDetectorMatcher(.chinaMobile), replacement: Array("M".utf8)),
        ]
        #expect(text(GuardStreamScanner.scan("13800138000".utf8, rules: rules)) == "M")
        #expect(text(GuardStreamScanner.scan("x0013 13800138000".utf8, rules: rules)) == "xK M")
    }

    @Test func everyChunkingGivesTheSameOutputAndMatchesAsTheWholeText() {
        let input = Array("""
            Όνομα: ΜΑΡΊΑ, 电话13912345678, mail a.b@c.de; 机密文件 PASSWORD 4111 1111 1111 1111 \
            -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY----- fe80::1 end
            """.utf8)
        let rules = keywordRules + GuardTestSupport.detectorRules
        let whole = GuardStreamScanner.scan(input, rules: rules)
        #expect(whole.matches.count == 7)
        for cut in 0...input.count {
            #expect(GuardTestSupport.scanChunked(input, cuts: [cut], rules: rules) == whole, "cut at \(cut)")
        }
        #expect(GuardTestSupport.scanChunked(input, cuts: Array(0..<input.count), rules: rules) == whole)
        var random = SplitMix64(seed: 7)
        for _ in 0..<50 {
            let cuts = (0..<8).map { _ in Int(random.next() % UInt64(input.count + 1)) }.sorted()
            #expect(GuardTestSupport.scanChunked(input, cuts: cuts, rules: rules) == whole, "cuts \(cuts)")
        }
    }

    @Test func theHoldBackIsTheLongestPatternPlusFourBytes() {
        let scanner = GuardStreamScanner(rules: keywordRules + [GuardScanRule(matcher: GuardDetectorMatcher(.email))])
        #expect(scanner.holdBackBound == 258)
    }
}

@Suite struct GuardStreamScannerHoldBackTests {
    @Test func aPrivateKeyBlockIsHeldUntilItsEndLineAndNothingOfItIsPassedOn() {
        let rules = [GuardScanRule(matcher: GuardDetectorMatcher(.privateKey), replacement: Array("[key]".utf8))]
        var scanner = GuardStreamScanner(rules: rules)
        var output = String(decoding: scanner.feed("here: -----BEGIN PRIVATE KEY-----\nMIIE".utf8).output, as: UTF8.self)
        #expect(output == "here: ")
        output += String(decoding: scanner.feed("vQIBADANBg\n-----END PRIV".utf8).output, as: UTF8.self)
        #expect(output == "here: ")
        output += String(decoding: scanner.feed("ATE KEY----- done".utf8).output, as: UTF8.self)
        #expect(output == "here: [key] done")
    }

    @Test func plainProseIsNeverHeldByTheDetectors() {
        var scanner = GuardStreamScanner(rules: GuardTestSupport.detectorRules)
        let step = scanner.feed("今天天气很好。".utf8)
        #expect(String(decoding: step.output, as: UTF8.self) == "今天天气很好。")
        #expect(scanner.heldBytes == 0)
    }
}
