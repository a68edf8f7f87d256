/// A set of Unicode scalar values: what one class, `.`, `\w` or case-insensitive literal of a
/// pattern matches. Sorted, disjoint, non-adjacent inclusive ranges.
struct RegexScalarSet: Hashable, Sendable {
    static let maxScalar: UInt32 = 0x10FFFF
    static let all = RegexScalarSet(ranges: [0...maxScalar])

    private(set) var ranges: [ClosedRange<UInt32>]

    /// The union of `ranges`, in any order, overlapping or not.
    init(ranges: [ClosedRange<UInt32>]) {
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
    }

    init(scalar: UInt32) { ranges = [scalar...scalar] }

    var isEmpty: Bool { ranges.isEmpty }

    /// The only member, when there is exactly one.
    var single: UInt32? {
        ranges.count == 1 && ranges[0].lowerBound == ranges[0].upperBound ? ranges[0].lowerBound : nil
    }

    /// Whether every member is ASCII (one byte in UTF-8).
    var isASCII: Bool { ranges.last.map { $0.upperBound < 0x80 } ?? true }

    /// The most UTF-8 bytes a member takes (1 for the empty set).
    var maxEncodedLength: Int {
        guard let top = ranges.last?.upperBound else { return 1 }
        return top < 0x80 ? 1 : top < 0x800 ? 2 : top < 0x10000 ? 3 : 4
    }

    func union(_ other: RegexScalarSet) -> RegexScalarSet { RegexScalarSet(ranges: ranges + other.ranges) }

    /// Every scalar not in the set.
    func inverted() -> RegexScalarSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= Self.maxScalar { result.append(next...Self.maxScalar) }
        return RegexScalarSet(ranges: result)
    }

    /// The set with every member's other cases added (`(?i)`).
    func caseFolded() -> RegexScalarSet {
        var added: [ClosedRange<UInt32>] = []
        for range in ranges {
            for scalar in RegexUnicodeData.casedScalars(in: range) {
                for member in RegexUnicodeData.caseClass(of: scalar) where !contains(member) { added.append(member...member) }
            }
        }
        return added.isEmpty ? self : RegexScalarSet(ranges: ranges + added)
    }

    func contains(_ scalar: UInt32) -> Bool {
        var low = 0, high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < scalar { low = middle + 1 } else { high = middle }
        }
        return low < ranges.count && ranges[low].lowerBound <= scalar
    }
}
