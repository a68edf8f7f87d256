/// Runs linear-time regexes (`LinearRegex`) as a streaming matcher, with a bound on match
/// length so a stream holds back at most `maxMatchBytes` for them.
///
/// A start is decided once `maxMatchBytes + 1` bytes after it have arrived (or the text ended):
/// the leftmost match found from there is reported, cut to `maxMatchBytes` when longer, and the
/// search goes on after it. Matches of one regex do not overlap. Keep patterns bounded
/// (`[0-9]{6,20}` rather than `[0-9]+`): a longer match is redacted only up to the bound, and
/// `^`, `$` and `\b` at the edge of the bytes held can differ from the whole text's.
package struct GuardRegexMatcher: GuardStreamingMatcher {
    /// The longest match reported, in bytes.
    package static let maxMatchBytes = 256
    package let regexes: [LinearRegex]

    package init(_ regexes: [LinearRegex]) {
        self.regexes = regexes
    }

    package var maxMatchLength: Int { Self.maxMatchBytes }

    package func scan(_ window: GuardWindow, from: Int, into candidates: inout [GuardCandidate]) -> Int {
        var found: [GuardCandidate] = []
        var pending = window.end
        window.bytes.withUnsafeBytes { bytes in
            for (pattern, regex) in regexes.enumerated() {
                pending = min(pending, scan(regex, pattern: pattern, bytes, window: window, from: from, into: &found))
            }
        }
        // Starts at or after `pending` are offered again on the next call: report them then.
        for candidate in found where candidate.range.lowerBound < pending { candidates.append(candidate) }
        return pending
    }

    private func scan(_ regex: LinearRegex, pattern: Int, _ bytes: UnsafeRawBufferPointer, window: GuardWindow, from: Int,
                      into found: inout [GuardCandidate]) -> Int {
        let bound = Self.maxMatchBytes
        let undecided = window.isFinal ? window.end : max(from, window.end - bound - 1)
        var position = from
        while position < window.end {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[(position - window.base)...])
            guard let match = regex.firstMatch(in: rest) else { return max(position, undecided) }
            let start = position + match.lowerBound
            if start >= undecided { return max(position, undecided) }
            let end = min(start + match.count, start + bound)
            if end > start { found.append(GuardCandidate(range: start..<end, pattern: pattern)) }
            position = max(start + 1, end)
        }
        return max(position, undecided)
    }
}
