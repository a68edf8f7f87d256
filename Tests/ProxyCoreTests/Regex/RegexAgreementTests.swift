import Testing
@testable import ProxyCore

/// LinearRegex against Python's `re` on a generated corpus (testdata/corpus.jsonl; regenerate with
/// generate_corpus.py, as its header says).
@Suite struct RegexAgreementTests {
    @Test func everyCorpusCaseAgreesWithPythonsRe() throws {
        let (header, cases) = try regexCorpus()
        #expect(cases.count >= 5000, "the corpus has \(cases.count) cases")
        #expect(header["unicode"] == .string(RegexUnicodeTables.unicodeVersion),
                "the corpus and the engine's tables come from different Unicode versions; regenerate both with one Python")
        var disagreements: [String] = []
        var compiled: [String: LinearRegex] = [:]
        for item in cases {
            let regex: LinearRegex
            if let known = compiled[item.pattern] {
                regex = known
            } else {
                do {
                    regex = try LinearRegex(item.pattern)
                } catch {
                    disagreements.append("line \(item.line): \(ConfigIssue.quoted(item.pattern)) refused: \(error)")
                    continue
                }
                compiled[item.pattern] = regex
            }
            let found = regex.firstMatch(in: item.input)
            let contains = regex.containsMatch(in: item.input)
            let whole = regex.wholeMatch(item.input)
            let spanAgrees = item.spanChecked ? found == item.span : (found == nil) == (item.span == nil)
            if !spanAgrees || contains != (item.span != nil) || whole != item.full {
                disagreements.append("line \(item.line): \(ConfigIssue.quoted(item.pattern)) on \(ConfigIssue.quoted(item.input)): "
                                     + "re found \(String(describing: item.span)) full \(item.full); "
                                     + "we found \(String(describing: found)) contains \(contains) full \(whole)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.prefix(30).joined(separator: "\n"))")
    }

    @Test func corpusComparesMostSpansAndCoversMatchesAndMisses() throws {
        let cases = try regexCorpus().cases
        let checked = cases.filter(\.spanChecked).count
        let matches = cases.filter { $0.span != nil }.count
        #expect(checked * 10 >= cases.count * 8, "only \(checked) of \(cases.count) spans are compared")
        #expect(matches * 4 >= cases.count && matches * 4 <= cases.count * 3, "\(matches) of \(cases.count) cases match")
        #expect(cases.contains { $0.pattern.hasPrefix("(?i)") && $0.input.unicodeScalars.contains { !$0.isASCII } && $0.span != nil })
        #expect(cases.contains { $0.pattern.contains("\\p{Han}") && $0.span != nil })
    }
}
