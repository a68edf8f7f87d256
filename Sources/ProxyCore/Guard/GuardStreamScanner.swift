/// Runs guard rules over text that arrives in chunks split anywhere (inside a UTF-8 character
/// too), passing text on as soon as no match can cover it and replacing the matches of
/// redacting rules.
///
/// Among overlapping matches of all rules the leftmost wins, then the longest, then the first
/// rule, then the first pattern. The output and matches are the same for any chunking of the
/// same text (the fuzz target `GuardStreamFuzz` checks this). At most `holdBackBound` bytes
/// are held back after any `feed`: the longest match of any rule, one byte of look-ahead, and
/// three bytes of an incomplete character. Output never ends inside a character until `finish`.
/// A pure value: the caller owns it and calls it from one thread.
package struct GuardStreamScanner: Sendable {
    package let rules: [GuardScanRule]
    package let holdBackBound: Int
    /// The bytes not yet passed on, plus one byte before them for look-behind; `buffer[0]` is
    /// at absolute offset `base`.
    private var buffer: [UInt8] = []
    private var base = 0
    /// Per rule, the first start its matcher has not decided.
    private var pending: [Int]
    /// Matches reported by a matcher at starts not yet decided by every matcher.
    private var candidates: [GuardMatch] = []
    /// The end of the last settled match: later matches must start at or after it.
    private var settledEnd = 0
    private var emitted = 0
    private var finished = false

    package init(rules: [GuardScanRule]) {
        self.rules = rules
        holdBackBound = (rules.map(\.matcher.maxMatchLength).max() ?? 0) + 4
        pending = [Int](repeating: 0, count: rules.count)
    }

    /// Bytes received and not yet passed on.
    package var heldBytes: Int { base + buffer.count - emitted }

    /// Takes the next chunk; returns the output that is now safe and the matches settled.
    package mutating func feed(_ chunk: some Sequence<UInt8>) -> GuardScanStep {
        precondition(!finished, "GuardStreamScanner fed after finish")
        buffer.append(contentsOf: chunk)
        return step(isFinal: false)
    }

    /// Ends the text: decides everything held and passes the rest on.
    package mutating func finish() -> GuardScanStep {
        precondition(!finished, "GuardStreamScanner finished twice")
        finished = true
        return step(isFinal: true)
    }

    /// Scans a whole text at once (one feed, then finish).
    package static func scan(_ text: some Sequence<UInt8>, rules: [GuardScanRule]) -> GuardScanStep {
        var scanner = GuardStreamScanner(rules: rules)
        var result = scanner.feed(text)
        let last = scanner.finish()
        result.output += last.output
        result.matches += last.matches
        return result
    }

    private mutating func step(isFinal: Bool) -> GuardScanStep {
        let end = base + buffer.count
        let window = GuardWindow(bytes: buffer, base: base, isFinal: isFinal)
        var found: [GuardCandidate] = []
        for index in rules.indices {
            found.removeAll(keepingCapacity: true)
            pending[index] = rules[index].matcher.scan(window, from: pending[index], into: &found)
            for candidate in found { candidates.append(GuardMatch(range: candidate.range, rule: index, pattern: candidate.pattern)) }
        }
        let decided = isFinal ? end : (pending.min() ?? end)
        let settled = settle(before: decided)
        var target = max(decided, settledEnd)
        if !isFinal { target = characterStart(atOrBefore: target, notBelow: max(emitted, settledEnd)) }
        let output = render(upTo: target, replacing: settled)
        emitted = target
        let keepFrom = max(base, min(decided, emitted) - 1)
        if keepFrom > base {
            buffer.removeFirst(keepFrom - base)
            base = keepFrom
        }
        return GuardScanStep(output: output, matches: settled)
    }

    /// Picks, among candidates starting before `decided` (every matcher has decided those
    /// starts), the leftmost-longest ones that do not overlap what is already settled.
    private mutating func settle(before decided: Int) -> [GuardMatch] {
        guard !candidates.isEmpty else { return [] }
        candidates.sort {
            ($0.range.lowerBound, -$0.range.count, $0.rule, $0.pattern) < ($1.range.lowerBound, -$1.range.count, $1.rule, $1.pattern)
        }
        var settled: [GuardMatch] = []
        var undecided: [GuardMatch] = []
        for candidate in candidates {
            if candidate.range.lowerBound >= decided {
                undecided.append(candidate)
            } else if candidate.range.lowerBound >= settledEnd {
                settled.append(candidate)
                settledEnd = candidate.range.upperBound
            }
        }
        candidates = undecided
        return settled
    }

    /// `offset`, moved back to the start of the UTF-8 character it is inside of, or that is
    /// incomplete at the end of the buffer.
    private func characterStart(atOrBefore offset: Int, notBelow floor: Int) -> Int {
        var lead = offset - 1
        while lead >= max(floor, offset - 3), lead - base >= 0, buffer[lead - base] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= floor, lead - base >= 0 else { return offset }
        let byte = buffer[lead - base]
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
        return lead + length > offset ? lead : offset
    }

    private func render(upTo target: Int, replacing settled: [GuardMatch]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(max(0, target - emitted))
        var position = emitted
        for match in settled {
            output += buffer[position - base..<match.range.lowerBound - base]
            if let replacement = rules[match.rule].replacement {
                output += replacement
            } else {
                output += buffer[match.range.lowerBound - base..<match.range.upperBound - base]
            }
            position = match.range.upperBound
        }
        if target > position { output += buffer[position - base..<target - base] }
        return output
    }
}
