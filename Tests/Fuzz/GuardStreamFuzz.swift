// fuzz-sources: Sources/ProxyCore
// libFuzzer target for `GuardStreamScanner` with keywords (CJK, mixed script, cased Latin, Greek
// and Cyrillic) and every built-in detector, some rules redacting and one only reporting.
// Checks, for any input (not necessarily UTF-8):
// 1. feeding it whole, split at two data-derived points, in random data-seeded chunks, or
//    (when short) one byte at a time gives the same output and the same matches;
// 2. after every feed at most `holdBackBound` bytes are held;
// 3. matches are in order, do not overlap and lie inside the input, and the output is the
//    input with each redacting rule's matches replaced.

let guardFuzzRules: [GuardScanRule] = {
    let keywords = try! GuardKeywordMatcher(keywords: ["机密", "内部资料", "Project凤凰", "password", "ΑΘΉΝΑ", "москва", "aa", "aaa", "ab"])
    return [GuardScanRule(matcher: keywords, replacement: Array("[kw]".utf8))]
        + GuardDetector.allCases.map { detector in
            GuardScanRule(matcher: GuardDetectorMatcher(detector), replacement: detector == .ipv4 ? nil : Array("<\(detector.rawValue)>".utf8))
        }
}()

func scanGuardFuzzInput(_ input: [UInt8], cuts: [Int]) -> GuardScanStep {
    var scanner = GuardStreamScanner(rules: guardFuzzRules)
    var result = GuardScanStep()
    var start = 0
    for cut in cuts + [input.count] where cut >= start {
        let step = scanner.feed(input[start..<cut])
        precondition(scanner.heldBytes <= scanner.holdBackBound, "held \(scanner.heldBytes) bytes, bound \(scanner.holdBackBound)")
        result.output += step.output
        result.matches += step.matches
        start = cut
    }
    let last = scanner.finish()
    result.output += last.output
    result.matches += last.matches
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let seed = size > 0 ? UInt64(input[0]) &* 31 &+ UInt64(input[size - 1]) : 0
    let first = size > 0 ? Int(seed) % (size + 1) : 0
    let second = size > 0 ? first + Int(seed / 7) % (size - first + 1) : 0

    let whole = scanGuardFuzzInput(input, cuts: [])
    let split = scanGuardFuzzInput(input, cuts: [first, second])
    precondition(whole == split, "split at \(first), \(second) changed the outcome")
    var random = SplitMix64(seed: seed &+ UInt64(size))
    var cuts: [Int] = []
    var position = 0
    while position < size {
        position += 1 + Int(random.next() % 12)
        cuts.append(min(position, size))
    }
    precondition(whole == scanGuardFuzzInput(input, cuts: cuts), "random chunks \(cuts) changed the outcome")
    if size <= 512 {
        precondition(whole == scanGuardFuzzInput(input, cuts: Array(0..<size)), "one byte at a time changed the outcome")
    }

    var expected: [UInt8] = []
    var previousEnd = 0
    for match in whole.matches {
        precondition(match.range.lowerBound >= previousEnd && match.range.upperBound <= size && !match.range.isEmpty, "bad match \(match)")
        expected += input[previousEnd..<match.range.lowerBound]
        expected += guardFuzzRules[match.rule].replacement ?? Array(input[match.range])
        previousEnd = match.range.upperBound
    }
    expected += input[previousEnd...]
    precondition(whole.output == expected, "output is not the input with its matches replaced")
    return 0
}
