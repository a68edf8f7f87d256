/// Byte classes and small byte-level helpers shared by the HTTP/1 parser and serializer.
///
/// Everything here works on raw bytes: the parser never builds a String to make a decision.
enum HTTP1Bytes {
    // The bytes HTTP/1 syntax is made of (RFC 9112 §2.1, RFC 9110 §5.6).
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let comma: UInt8 = 0x2C
    static let semicolon: UInt8 = 0x3B

    /// `tchar` (RFC 9110 §5.6.2): the bytes a token (method, field name, coding name) may hold.
    /// A bitmap test rather than a `switch`, which compiles to an indirect jump per byte.
    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        // Bits 0-63: "!#$%&'*+-." and DIGIT; bits 64-127: ALPHA and "^_`|~".
        let low: UInt64 = 0x03FF_6CFA_0000_0000
        let high: UInt64 = 0x57FF_FFFF_C7FF_FFFE
        if b < 64 { return (low >> b) & 1 != 0 }
        if b < 128 { return (high >> (b &- 64)) & 1 != 0 }
        return false
    }

    /// Whether `b` may appear inside a field value: HTAB, SP, VCHAR or obs-text (RFC 9110 §5.5).
    /// Every other control byte (NUL, CR, LF, DEL, …) is rejected.
    @inline(__always)
    static func isFieldValueByte(_ b: UInt8) -> Bool {
        b >= 0x20 ? b != 0x7F : b == htab
    }

    /// OWS / BWS: optional whitespace, SP or HTAB (RFC 9110 §5.6.3).
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// `b` with ASCII uppercase letters lowered; every other byte unchanged.
    @inline(__always)
    static func lowercased(_ b: UInt8) -> UInt8 {
        b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b
    }

    /// `word` with each of its eight bytes in A–Z lowercased, every other byte (non-ASCII
    /// included) unchanged: `lowercased` eight bytes at a time.
    static func lowercasedWord(_ word: UInt64) -> UInt64 {
        // Each byte's low seven bits plus a bias sets its high bit exactly when it is ≥ 'A'
        // (resp. > 'Z'); no byte carries into the next (0x7F + 0x3F < 0x100).
        let heptets = word & ~highs
        let atLeastA = heptets &+ ones &* UInt64(0x80 - 0x41)
        let pastZ = heptets &+ ones &* UInt64(0x80 - 0x5B)
        let upper = atLeastA & ~pastZ & ~word & highs
        return word | (upper >> 2)  // 0x80 >> 2 is the case bit 0x20
    }

    /// Whether `a` and `b` (of equal length) hold the same bytes ignoring ASCII case, eight
    /// bytes at a time.
    static func equalIgnoringASCIICase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let count = a.count
        guard b.count == count else { return false }
        var i = 0
        while i &+ 8 <= count {
            let x = a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let y = b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if x != y, lowercasedWord(x) != lowercasedWord(y) { return false }
            i &+= 8
        }
        while i < count {
            if lowercased(a[i]) != lowercased(b[i]) { return false }
            i &+= 1
        }
        return true
    }

    /// SWAR constants: every byte 0x01, every byte 0x80.
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that equals `byte`, exact for the lowest such byte
    /// (the borrow trick only yields false positives above a true match).
    @inline(__always)
    static func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        return (x &- ones) & ~x & highs
    }

    /// Whether `bytes` is a token (RFC 9110 §5.6.2): non-empty, every byte a `tchar`.
    static func isToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        !bytes.isEmpty && tokenEnd(in: bytes, from: 0, to: bytes.count) == bytes.count
    }

    /// The offset of the first byte in `buffer[from..<end]` that is not a `tchar`, or `end`.
    /// Eight bytes per step for the bytes field names are made of (letters, digits, `-`, `_`);
    /// a word holding any other byte is looked at byte by byte.
    static func tokenEnd(in buffer: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let word = buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if word & highs != 0 || commonTokenBytes(word) != highs {
                for j in i..<(i &+ 8) where !isTokenByte(buffer[j]) { return j }
            }
            i &+= 8
        }
        while i < end {
            if !isTokenByte(buffer[i]) { return i }
            i &+= 1
        }
        return end
    }

    /// The high bit of each byte of `word` (all below 0x80) that is a letter, a digit, `-` or `_`.
    @inline(__always)
    private static func commonTokenBytes(_ word: UInt64) -> UInt64 {
        // A byte b < 0x80 is at least lo when b + (0x80 - lo) sets its high bit, and above hi when
        // b + (0x7F - hi) does; neither sum carries into the next byte.
        @inline(__always) func within(_ lo: UInt64, _ hi: UInt64) -> UInt64 {
            (word &+ ones &* (0x80 &- lo)) & ~(word &+ ones &* (0x7F &- hi)) & highs
        }
        return within(0x30, 0x39) | within(0x41, 0x5A) | within(0x61, 0x7A)
            | matches7(word, UInt8(ascii: "-")) | matches7(word, UInt8(ascii: "_"))
    }

    /// The high bit of each byte of `word` (all below 0x80) that equals `byte`: exact for every byte.
    @inline(__always)
    private static func matches7(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))  // 0 where equal, below 0x80 everywhere
        return ~(x &+ ones &* 0x7F) & highs
    }

    /// The offset of the first CR or LF in `buffer[from..<end]`, or `end` when there is none.
    /// Looks at eight bytes per step (SWAR).
    static func firstLineBreak(in buffer: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int {
        var i = from
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let found = matches(word, cr) | matches(word, lf)
            if found != 0 { return i &+ found.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        while i < end {
            let b = buffer[i]
            if b == cr || b == lf { return i }
            i &+= 1
        }
        return end
    }

    /// The offset of the first byte in `buffer[range]` that may not appear in a field value, or
    /// nil. Eight bytes per step: a word with no byte below 0x20 and no DEL is valid as a whole
    /// (obs-text bytes have the high bit set and pass); other words are checked byte by byte,
    /// since HTAB is below 0x20 but allowed.
    static func firstInvalidFieldValueByte(in buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        let end = range.upperBound
        while i &+ 8 <= end {
            let word = buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            // Any byte < 0x20: exact as a yes/no answer (borrows start only at such a byte).
            let controls = (word &- ones &* 0x20) & ~word & highs
            if controls | matches(word, 0x7F) != 0 {
                for j in i..<(i &+ 8) where !isFieldValueByte(buffer[j]) { return j }
            }
            i &+= 8
        }
        while i < end {
            if !isFieldValueByte(buffer[i]) { return i }
            i &+= 1
        }
        return nil
    }

    /// Whether `bytes` is exactly `literal`.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let base = literal.utf8Start
        for i in 0..<count where bytes[i] != base[i] { return false }
        return true
    }

    /// Whether `bytes` equals `literal` ignoring ASCII case; `literal` must be lowercase.
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let base = literal.utf8Start
        for i in 0..<count where lowercased(bytes[i]) != base[i] { return false }
        return true
    }

    /// `buffer[range]` without leading and trailing OWS.
    @inline(__always)
    static func trimmingWhitespace(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isWhitespace(buffer[lower]) { lower &+= 1 }
        while upper > lower && isWhitespace(buffer[upper &- 1]) { upper &-= 1 }
        return lower..<upper
    }

    /// Calls `body` with each element of the comma-separated list in `buffer[range]`, trimmed of
    /// OWS (RFC 9110 §5.6.1). Empty elements are passed on too; callers decide what they mean.
    /// Stops early when `body` returns false.
    @inline(__always)
    static func forEachListElement(
        _ buffer: UnsafeRawBufferPointer, _ range: Range<Int>, _ body: (Range<Int>) -> Bool
    ) {
        var start = range.lowerBound
        var i = start
        while i <= range.upperBound {
            if i == range.upperBound || buffer[i] == comma {
                if !body(trimmingWhitespace(buffer, start..<i)) { return }
                start = i &+ 1
            }
            i &+= 1
        }
    }

    /// A short, printable excerpt of untrusted bytes for an error message: at most 32 bytes,
    /// anything outside visible ASCII shown as `.`, so logs never carry raw control bytes.
    static func excerpt(_ buffer: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        let upper = min(range.upperBound, range.lowerBound + 32)
        var out = [UInt8]()
        out.reserveCapacity(upper - range.lowerBound + 3)
        for i in range.lowerBound..<upper {
            let b = buffer[i]
            out.append(b > 0x20 && b < 0x7F && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") ? b : UInt8(ascii: "."))
        }
        if upper < range.upperBound { out.append(contentsOf: [0x2E, 0x2E, 0x2E]) }
        return String(decoding: out, as: UTF8.self)
    }
}
