/// A scalar set laid out for matching: a bitmap for ASCII, sorted flat bounds for the rest.
struct RegexSetMatcher: Hashable, Sendable {
    let ascii: RegexByteSet
    /// Inclusive bounds of the non-ASCII ranges, low and high alternating.
    let bounds: [UInt32]

    init(_ set: RegexScalarSet) {
        ascii = RegexByteSet(asciiOf: set)
        var bounds: [UInt32] = []
        for range in set.ranges where range.upperBound >= 0x80 {
            bounds.append(max(range.lowerBound, 0x80))
            bounds.append(range.upperBound)
        }
        self.bounds = bounds
    }

    /// Whether the non-ASCII `scalar` is a member.
    func containsNonASCII(_ scalar: UInt32) -> Bool {
        var low = 0, high = bounds.count / 2
        while low < high {
            let middle = (low + high) / 2
            if bounds[2 * middle + 1] < scalar { low = middle + 1 } else { high = middle }
        }
        return low < bounds.count / 2 && bounds[2 * low] <= scalar
    }

    /// The lead bytes of the non-ASCII members' encodings (a superset when a range spans lead bytes partially).
    var leadBytes: RegexByteSet {
        var set = RegexByteSet()
        for pair in stride(from: 0, to: bounds.count, by: 2) {
            set.insert(Self.lead(bounds[pair])...Self.lead(bounds[pair + 1]))
        }
        return set
    }

    private static func lead(_ scalar: UInt32) -> UInt8 { Unicode.Scalar(scalar).map { $0.utf8.first! } ?? 0xED }
}
