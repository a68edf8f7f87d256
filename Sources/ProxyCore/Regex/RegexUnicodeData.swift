/// The Unicode sets and case classes of the regex engine, decoded once from
/// `RegexUnicodeTables` (generated from Python's `unicodedata`, so `\d`, `\w`, `\s` and
/// `(?i)` mean what they mean in Python's `re`).
///
/// Immutable after its lazy, thread-safe initialisation (a Swift global); read from any thread.
enum RegexUnicodeData {
    /// Whether `scalar` is a word character (`\w`: a letter, a number, or `_`), as `\b` sees it.
    static func isWord(_ scalar: UInt32) -> Bool {
        if scalar < 0x80 {
            return (scalar >= 0x30 && scalar <= 0x39) || (scalar | 0x20 >= 0x61 && scalar | 0x20 <= 0x7A) || scalar == 0x5F
        }
        return word.contains(scalar)
    }

    /// The scalars of a `\p{…}` name: a general category (`L`, `Lu`, `Letter`…) or `Han`; nil if unknown.
    static func property(named name: String) -> RegexScalarSet? {
        if name == "Han" { return han }
        let short = longCategoryNames[name] ?? name
        let indices = RegexUnicodeTables.categoryNames.indices.filter {
            let category = RegexUnicodeTables.categoryNames[$0]
            return category == short || (short.utf8.count == 1 && category.utf8.first == short.utf8.first)
        }
        guard !indices.isEmpty else { return nil }
        return categories(indices)
    }

    /// `\d`: decimal digits (Nd).
    static let digit = categories([RegexUnicodeTables.categoryNames.firstIndex(of: "Nd")!])
    /// `\w`: letters, numbers, `_`.
    static let word = RegexScalarSet(ranges: categories(RegexUnicodeTables.categoryNames.indices.filter {
        let first = RegexUnicodeTables.categoryNames[$0].utf8.first
        return first == UInt8(ascii: "L") || first == UInt8(ascii: "N")
    }).ranges + [0x5F...0x5F])
    /// `\s`: Python's whitespace.
    static let space = RegexScalarSet(ranges: decodeRanges(RegexUnicodeTables.space))
    /// Script=Han.
    static let han = RegexScalarSet(ranges: decodeRanges(RegexUnicodeTables.han))

    /// The scalars `scalar` matches case-insensitively, itself included, in ascending order
    /// from the one after it; empty when it has no other case.
    static func caseClass(of scalar: UInt32) -> [UInt32] {
        guard let index = orbitIndex(of: scalar) else { return [] }
        var members = [scalar]
        var next = caseOrbitNext[index]
        while next != scalar, let following = orbitIndex(of: next) {
            members.append(next)
            next = caseOrbitNext[following]
        }
        return members
    }

    /// The cased scalars in `range`, for folding a class range without walking all of it.
    static func casedScalars(in range: ClosedRange<UInt32>) -> ArraySlice<UInt32> {
        let start = firstCasedScalar(atLeast: range.lowerBound)
        var end = start
        while end < caseOrbitScalars.count, caseOrbitScalars[end] <= range.upperBound { end += 1 }
        return caseOrbitScalars[start..<end]
    }

    private static let longCategoryNames = [
        "Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
        "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Number": "N", "Decimal_Number": "Nd",
        "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "Symbol": "S", "Separator": "Z",
        "Other": "C", "Control": "Cc", "Format": "Cf", "Unassigned": "Cn", "Private_Use": "Co",
    ]

    /// Each run's first scalar and category index.
    private static let categoryRuns: [(start: UInt32, category: Int)] = {
        var runs: [(start: UInt32, category: Int)] = []
        var fields = HexFields(RegexUnicodeTables.categoryRuns)
        while let start = fields.next(width: 6), let category = fields.next(width: 2) {
            runs.append((start, Int(category)))
        }
        return runs
    }()

    private static let caseOrbitPairs: [(UInt32, UInt32)] = {
        var pairs: [(UInt32, UInt32)] = []
        var fields = HexFields(RegexUnicodeTables.caseOrbits)
        while let scalar = fields.next(width: 6), let next = fields.next(width: 6) { pairs.append((scalar, next)) }
        return pairs
    }()
    private static let caseOrbitScalars = caseOrbitPairs.map(\.0)
    private static let caseOrbitNext = caseOrbitPairs.map(\.1)

    private static func orbitIndex(of scalar: UInt32) -> Int? {
        let index = firstCasedScalar(atLeast: scalar)
        return index < caseOrbitScalars.count && caseOrbitScalars[index] == scalar ? index : nil
    }

    /// The index of the first cased scalar ≥ `scalar` (binary search).
    private static func firstCasedScalar(atLeast scalar: UInt32) -> Int {
        var low = 0, high = caseOrbitScalars.count
        while low < high {
            let middle = (low + high) / 2
            if caseOrbitScalars[middle] < scalar { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func categories(_ indices: [Int]) -> RegexScalarSet {
        var ranges: [ClosedRange<UInt32>] = []
        let runs = categoryRuns
        for (position, run) in runs.enumerated() where indices.contains(run.category) {
            let end = position + 1 < runs.count ? runs[position + 1].start - 1 : RegexScalarSet.maxScalar
            ranges.append(run.start...end)
        }
        return RegexScalarSet(ranges: ranges)
    }

    private static func decodeRanges(_ text: StaticString) -> [ClosedRange<UInt32>] {
        var ranges: [ClosedRange<UInt32>] = []
        var fields = HexFields(text)
        while let low = fields.next(width: 6), let high = fields.next(width: 6) { ranges.append(low...high) }
        return ranges
    }

    /// Reads fixed-width hexadecimal fields from a generated table, skipping whitespace.
    private struct HexFields {
        let text: StaticString
        var offset = 0

        init(_ text: StaticString) { self.text = text }

        mutating func next(width: Int) -> UInt32? {
            var value: UInt32 = 0
            var digits = 0
            while digits < width, offset < text.utf8CodeUnitCount {
                let byte = text.utf8Start[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = value << 4 | UInt32(byte - UInt8(ascii: "A") + 10)
                default: continue
                }
                digits += 1
            }
            return digits == width ? value : nil
        }
    }
}
