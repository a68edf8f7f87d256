/// Reading one value found by `scanTopLevel`, given the same body and the returned range.
///
/// Total functions: a range outside the body, or one that does not hold a value of the
/// asked kind, gives nil rather than a trap.
extension JSONFieldScanner {
    /// The kind of the value at `range`, from its first byte.
    package static func valueKind(_ body: UnsafeRawBufferPointer, at range: Range<Int>) -> JSONValueKind? {
        guard let bytes = slice(body, range), let first = bytes.first else { return nil }
        switch first {
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// The string at `range`, unescaped; nil when it is not a string.
    package static func decodeString(_ body: UnsafeRawBufferPointer, at range: Range<Int>) -> String? {
        guard let bytes = slice(body, range), bytes.count >= 2,
              bytes.first == JSONLexer.quote, bytes.last == JSONLexer.quote else { return nil }
        return JSONStringDecoder.decode(body, content: range.lowerBound + 1..<range.upperBound - 1)
    }

    /// The boolean at `range`; nil when it is not `true` or `false`.
    package static func decodeBool(_ body: UnsafeRawBufferPointer, at range: Range<Int>) -> Bool? {
        guard let bytes = slice(body, range) else { return nil }
        if bytes.elementsEqual("true".utf8) { return true }
        if bytes.elementsEqual("false".utf8) { return false }
        return nil
    }

    /// The integer at `range`; nil when it is not a number, has a fraction or an exponent,
    /// or does not fit in `Int` (checked arithmetic: no input can trap).
    package static func decodeInt(_ body: UnsafeRawBufferPointer, at range: Range<Int>) -> Int? {
        guard let bytes = slice(body, range), !bytes.isEmpty else { return nil }
        let negative = bytes[0] == UInt8(ascii: "-")
        let digits = UnsafeRawBufferPointer(rebasing: bytes[(negative ? 1 : 0)...])
        guard !digits.isEmpty, digits.count == 1 || digits[0] != UInt8(ascii: "0") else { return nil }
        // Accumulate toward the sign so that Int.min, whose magnitude does not fit, parses.
        var value = 0
        for byte in digits {
            guard JSONLexer.isDigit(byte) else { return nil }
            let digit = Int(byte &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = next
        }
        return value
    }

    /// `valueKind` on an array of bytes.
    package static func valueKind(_ body: [UInt8], at range: Range<Int>) -> JSONValueKind? {
        body.withUnsafeBytes { valueKind($0, at: range) }
    }

    /// `decodeString` on an array of bytes.
    package static func decodeString(_ body: [UInt8], at range: Range<Int>) -> String? {
        body.withUnsafeBytes { decodeString($0, at: range) }
    }

    /// `decodeBool` on an array of bytes.
    package static func decodeBool(_ body: [UInt8], at range: Range<Int>) -> Bool? {
        body.withUnsafeBytes { decodeBool($0, at: range) }
    }

    /// `decodeInt` on an array of bytes.
    package static func decodeInt(_ body: [UInt8], at range: Range<Int>) -> Int? {
        body.withUnsafeBytes { decodeInt($0, at: range) }
    }

    private static func slice(_ body: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer? {
        guard range.lowerBound >= 0, range.upperBound <= body.count else { return nil }
        return UnsafeRawBufferPointer(rebasing: body[range])
    }
}
