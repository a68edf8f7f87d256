/// A set of bytes, 256 bits.
struct RegexByteSet: Hashable, Sendable {
    private var words = SIMD4<UInt64>(repeating: 0)

    init() {}

    /// The ASCII members of `set`.
    init(asciiOf set: RegexScalarSet) {
        for range in set.ranges where range.lowerBound < 0x80 {
            insert(UInt8(range.lowerBound)...UInt8(min(range.upperBound, 0x7F)))
        }
    }

    var isEmpty: Bool { words == SIMD4(repeating: 0) }

    mutating func insert(_ range: ClosedRange<UInt8>) {
        for byte in range { words[Int(byte >> 6)] |= 1 << (byte & 63) }
    }

    mutating func formUnion(_ other: RegexByteSet) { words |= other.words }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        words[Int(byte >> 6)] & (1 &<< UInt64(byte & 63)) != 0
    }
}
