@testable import ProxyCore

/// Helpers shared by the guard suites.
enum GuardTestSupport {
    /// The matched texts of `detector` in `text`, scanned whole.
    static func detected(_ detector: GuardDetector, in text: String) -> [String] {
        let bytes = Array(text.utf8)
        let result = GuardStreamScanner.scan(bytes, rules: [GuardScanRule(matcher: GuardDetectorMatcher(detector))])
        return result.matches.map { String(decoding: bytes[$0.range], as: UTF8.self) }
    }

    /// Feeds `text` cut at `cuts` (byte offsets, ascending) and finishes; returns all the output
    /// and matches, checking the hold-back bound after every feed.
    static func scanChunked(_ text: [UInt8], cuts: [Int], rules: [GuardScanRule]) -> GuardScanStep {
        var scanner = GuardStreamScanner(rules: rules)
        var result = GuardScanStep()
        var start = 0
        for cut in cuts + [text.count] where cut >= start {
            let step = scanner.feed(text[start..<cut])
            precondition(scanner.heldBytes <= scanner.holdBackBound, "held \(scanner.heldBytes) > \(scanner.holdBackBound)")
            result.output += step.output
            result.matches += step.matches
            start = cut
        }
        let last = scanner.finish()
        result.output += last.output
        result.matches += last.matches
        return result
    }

    /// Cuts that split `count` bytes into `pieces` nearly equal chunks.
    static func evenCuts(_ count: Int, pieces: Int) -> [Int] {
        (1..<pieces).map { count * $0 / pieces }
    }

    /// Every built-in detector, each redacted with `[name]`.
    static let detectorRules = GuardDetector.allCases.map {
        GuardScanRule(matcher: GuardDetectorMatcher($0), replacement: Array("[\($0.rawValue)]".utf8))
    }
}
