/// A set of bytes, 256 bits.
struct RegexByteSet: Hashable, Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// The ASCII members of `set`.
    init(asciiOf set: RegexScalarSet) {
        for range in set.ranges where range.lowerBound < 0x80 {
            insert(UInt8(range.lowerBound)...UInt8(min(range.upperBound, 0x7F)))
        }
    }

    var isEmpty: Bool { words == (0, 0, 0, 0) }

    mutating func insert(_ range: ClosedRange<UInt8>) {
        for byte in range {
            switch byte >> 6 {
            case 0: words.0 |= 1 << (byte & 63)
            case 1: words.1 |= 1 << (byte & 63)
            case 2: words.2 |= 1 << (byte & 63)
            default: words.3 |= 1 << (byte & 63)
            }
        }
    }

    mutating func formUnion(_ other: RegexByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = words.0
        case 1: word = words.1
        case 2: word = words.2
        default: word = words.3
        }
        return word & (1 << (byte & 63)) != 0
    }

    static func == (a: RegexByteSet, b: RegexByteSet) -> Bool { a.words == b.words }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
