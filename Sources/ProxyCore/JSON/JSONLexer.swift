/// The byte-level rules of RFC 8259 (section 2 whitespace, section 6 numbers, section 7
/// strings) and UTF-8 (RFC 3629), shared by the parser, the field scanner and the writer.
///
/// Every function reads only inside `buffer` and reports malformed input as a
/// `JSONSyntaxFailure`, never a trap.
enum JSONLexer {
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// The offset of the first non-whitespace byte at or after `offset` (or the buffer's end).
    @inline(__always)
    static func skipWhitespace(_ buffer: UnsafeRawBufferPointer, from offset: Int) -> Int {
        var index = offset
        while index < buffer.count, isWhitespace(buffer[index]) { index += 1 }
        return index
    }

    /// Scans the string whose opening quote is at `start`: returns the offset after its closing
    /// quote, and whether it contains escapes (so decoding can take the copy-only path).
    static func scanString(_ buffer: UnsafeRawBufferPointer, openingQuote start: Int) throws(JSONSyntaxFailure) -> (end: Int, escaped: Bool) {
        let count = buffer.count
        var index = start + 1
        var escaped = false
        while true {
            // Most string bytes are plain ASCII: skip them eight at a time.
            while index &+ 8 <= count, !needsAttention(buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index &+= 8
            }
            guard index < count else { throw JSONSyntaxFailure(offset: count, .unterminatedString) }
            let byte = buffer[index]
            if byte == quote { return (index + 1, escaped) }
            if byte == backslash {
                escaped = true
                index = try scanEscape(buffer, at: index)
            } else if byte < 0x20 {
                throw JSONSyntaxFailure(offset: index, .controlCharacterInString)
            } else if byte < 0x80 {
                index += 1
            } else {
                let length = utf8SequenceLength(buffer, at: index)
                guard length > 0 else { throw JSONSyntaxFailure(offset: index - length, .invalidUTF8(lead: index)) }
                index += length
            }
        }
    }

    // True when one of the eight bytes is a quote, a backslash, a control character or
    // non-ASCII (the classic "has zero byte" / "has byte less than n" word tricks).
    @inline(__always)
    private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(quote))
        let backslashes = word ^ (ones &* UInt64(backslash))
        let hasQuote = (quotes &- ones) & ~quotes
        let hasBackslash = (backslashes &- ones) & ~backslashes
        let hasControl = (word &- ones &* 0x20) & ~word
        return ((hasQuote | hasBackslash | hasControl) & high) | (word & high) != 0
    }

    /// Checks the escape whose backslash is at `start`; returns the offset after it.
    /// A `\uD800`...`\uDBFF` escape must be followed by a low-surrogate escape (RFC 8259 section 7).
    static func scanEscape(_ buffer: UnsafeRawBufferPointer, at start: Int) throws(JSONSyntaxFailure) -> Int {
        guard start + 1 < buffer.count else { throw JSONSyntaxFailure(offset: buffer.count, .unterminatedString) }
        switch buffer[start + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return start + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(buffer, at: start + 2)
            switch unit {
            case 0xD800...0xDBFF:
                guard start + 7 < buffer.count, buffer[start + 6] == backslash, buffer[start + 7] == UInt8(ascii: "u") else {
                    throw JSONSyntaxFailure(offset: start, .unpairedHighSurrogate)
                }
                let low = try hex4(buffer, at: start + 8)
                guard (0xDC00...0xDFFF).contains(low) else { throw JSONSyntaxFailure(offset: start, .unpairedHighSurrogate) }
                return start + 12
            case 0xDC00...0xDFFF:
                throw JSONSyntaxFailure(offset: start, .unpairedLowSurrogate)
            default:
                return start + 6
            }
        default:
            throw JSONSyntaxFailure(offset: start + 1, .invalidEscape)
        }
    }

    /// The value of the four hex digits at `offset`.
    static func hex4(_ buffer: UnsafeRawBufferPointer, at offset: Int) throws(JSONSyntaxFailure) -> UInt16 {
        var value: UInt16 = 0
        for index in offset..<offset + 4 {
            guard index < buffer.count, let digit = hexValue(buffer[index]) else {
                throw JSONSyntaxFailure(offset: index, .invalidUnicodeEscape)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// The value of one hex digit (either case), or nil: shared by JSON escapes, percent-encoding
    /// and IPv6 literals.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The length (2...4) of the well-formed UTF-8 sequence whose lead byte is at `offset`, or,
    /// when it is malformed, `-k` where `k` is how many bytes of it were acceptable before the
    /// bad one (0 when the lead byte itself is bad). Rejects overlongs, encoded surrogates,
    /// code points above U+10FFFF and truncated sequences (Unicode table 3-7).
    static func utf8SequenceLength(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> Int {
        let lead = buffer[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return 0
        }
        for k in 1..<length {
            let index = offset + k
            guard index < buffer.count else { return -k }
            let byte = buffer[index]
            guard k == 1 ? secondRange.contains(byte) : (byte & 0xC0 == 0x80) else { return -k }
        }
        return length
    }

    /// Scans a number starting at `start` exactly per RFC 8259 section 6; returns the offset after it.
    static func scanNumber(_ buffer: UnsafeRawBufferPointer, from start: Int) throws(JSONSyntaxFailure) -> Int {
        let count = buffer.count
        var index = start
        if buffer[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count else { throw JSONSyntaxFailure(offset: index, .expectedDigit(after: "after '-' in number")) }
        if buffer[index] == UInt8(ascii: "0") {
            index += 1
            if index < count, isDigit(buffer[index]) { throw JSONSyntaxFailure(offset: index, .leadingZero) }
        } else if isDigit(buffer[index]) {
            while index < count, isDigit(buffer[index]) { index += 1 }
        } else {
            throw JSONSyntaxFailure(offset: index, .expectedDigit(after: "after '-' in number"))
        }
        if index < count, buffer[index] == UInt8(ascii: ".") {
            index += 1
            guard index < count, isDigit(buffer[index]) else { throw JSONSyntaxFailure(offset: index, .expectedDigit(after: "after '.' in number")) }
            while index < count, isDigit(buffer[index]) { index += 1 }
        }
        if index < count, buffer[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") { index += 1 }
            guard index < count, isDigit(buffer[index]) else { throw JSONSyntaxFailure(offset: index, .expectedDigit(after: "in number exponent")) }
            while index < count, isDigit(buffer[index]) { index += 1 }
        }
        return index
    }

    /// Checks that `literal` (`true`, `false` or `null`) is written at `start`; returns the offset after it.
    static func scanLiteral(_ buffer: UnsafeRawBufferPointer, from start: Int, _ literal: StaticString) throws(JSONSyntaxFailure) -> Int {
        let length = literal.utf8CodeUnitCount
        let bytes = literal.utf8Start
        for k in 0..<length where start + k >= buffer.count || buffer[start + k] != bytes[k] {
            throw JSONSyntaxFailure(offset: start + k, .invalidLiteral(expected: literal))
        }
        return start + length
    }

    /// True when `bytes` is exactly one number per RFC 8259's grammar (used by the writer).
    static func isValidNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, first == UInt8(ascii: "-") || isDigit(first) else { return false }
        do { return try scanNumber(bytes, from: 0) == bytes.count } catch { return false }
    }
}
