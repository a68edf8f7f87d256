/// One rule as the streaming scanner runs it: a matcher, and what its matches become in the
/// output.
package struct GuardScanRule: Sendable {
    package var matcher: any GuardStreamingMatcher
    /// The bytes that replace a match in the output (redaction), or nil to pass the matched
    /// text on unchanged and only report it.
    package var replacement: [UInt8]?

    package init(matcher: any GuardStreamingMatcher, replacement: [UInt8]? = nil) {
        self.matcher = matcher
        self.replacement = replacement
    }
}

/// A match the scanner settled on: absolute byte offsets in the whole text, the rule's index,
/// and the pattern within the rule (keyword index, detector variant).
package struct GuardMatch: Equatable, Sendable {
    package var range: Range<Int>
    package var rule: Int
    package var pattern: Int

    package init(range: Range<Int>, rule: Int, pattern: Int) {
        self.range = range
        self.rule = rule
        self.pattern = pattern
    }
}

/// What one `feed` or `finish` produced: output bytes that can go on now (matches already
/// replaced), and the matches settled in this step.
package struct GuardScanStep: Equatable, Sendable {
    package var output: [UInt8] = []
    package var matches: [GuardMatch] = []

    package init(output: [UInt8] = [], matches: [GuardMatch] = []) {
        self.output = output
        self.matches = matches
    }
}
