/// Strict UTF-8 decoding of one scalar at a byte offset, for the regex engine (the validation is
/// `JSONLexer.utf8SequenceLength`: shortest forms only, no surrogates, nothing above U+10FFFF).
/// Invalid bytes decode to nil and match nothing.
enum UTF8Scalar {
    /// The scalar starting at `position` and its length in bytes.
    static func decode(at position: Int, in input: UnsafeRawBufferPointer) -> (scalar: UInt32, length: Int)? {
        guard position < input.count else { return nil }
        let lead = input[position]
        if lead < 0x80 { return (UInt32(lead), 1) }
        let length = JSONLexer.utf8SequenceLength(input, at: position)
        guard length > 1 else { return nil }
        var scalar = UInt32(lead) & (0x7F >> length)
        for offset in 1..<length { scalar = scalar << 6 | UInt32(input[position + offset] & 0x3F) }
        return (scalar, length)
    }

    /// The scalar that ends just before `position`.
    static func decode(endingAt position: Int, in input: UnsafeRawBufferPointer) -> (scalar: UInt32, length: Int)? {
        var start = position - 1
        while start >= 0, position - start < 4, input[start] & 0xC0 == 0x80 { start -= 1 }
        guard start >= 0, let decoded = decode(at: start, in: input), start + decoded.length == position else { return nil }
        return decoded
    }
}
