/// A syntax error found while walking a document: where, and why.
///
/// Kept small and allocation-free so the hot path (`JSONFieldScanner`) pays nothing for
/// errors it never raises; the message, line and column are only computed by `error(in:)`.
struct JSONSyntaxFailure: Error {
    enum Reason {
        case emptyDocument
        case expectedValue
        case expectedKey(afterComma: Bool)
        case expectedColon
        case expectedCommaOrObjectEnd
        case expectedCommaOrArrayEnd
        case trailingContent
        case topLevelNotObject
        case tooDeep(limit: Int)
        case invalidLiteral(expected: StaticString)
        case leadingZero
        case expectedDigit(after: StaticString)
        case unterminatedString
        case controlCharacterInString
        case invalidEscape
        case invalidUnicodeEscape
        case unpairedHighSurrogate
        case unpairedLowSurrogate
        /// `lead` is the offset of the sequence's first byte; the failure offset is the bad byte.
        case invalidUTF8(lead: Int)
        case duplicateKey(String)
    }

    var offset: Int
    var reason: Reason

    init(offset: Int, _ reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    /// The public error: message with what was found at `offset`, and its line and column.
    func error(in buffer: UnsafeRawBufferPointer) -> JSONParseError {
        let end = min(max(offset, 0), buffer.count)
        var line = 1
        var column = 1
        for index in 0..<end {
            let byte = buffer[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        let found: String
        if case .invalidUTF8(let lead) = reason {
            found = Self.describeUTF8Failure(buffer, lead: lead, bad: end)
        } else {
            found = Self.describe(buffer, at: end)
        }
        return JSONParseError(offset: end, line: line, column: column, message: reason.message(found: found))
    }

    /// `'x'`, `end of input`, `U+000A`, or a non-ASCII character with its scalar value.
    static func describe(_ buffer: UnsafeRawBufferPointer, at offset: Int) -> String {
        guard offset < buffer.count else { return "end of input" }
        let byte = buffer[offset]
        switch byte {
        case 0x20...0x7E:
            return "'\(Character(Unicode.Scalar(byte)))'"
        case 0..<0x20, 0x7F:
            return "control character U+\(hex(UInt32(byte), width: 4))"
        default:
            let length = JSONLexer.utf8SequenceLength(buffer, at: offset)
            guard length > 0 else { return "invalid UTF-8 byte 0x\(hex(UInt32(byte), width: 2))" }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + length]), as: UTF8.self)
            let scalar = text.unicodeScalars.first.map { $0.value } ?? 0
            return "'\(text)' (U+\(hex(scalar, width: 4)))"
        }
    }

    // Names the UTF-8 rule that was broken (RFC 3629 section 4, Unicode table 3-7).
    private static func describeUTF8Failure(_ buffer: UnsafeRawBufferPointer, lead: Int, bad: Int) -> String {
        let leadByte = buffer[lead]
        if bad == lead {
            switch leadByte {
            case 0x80...0xBF: return "unexpected continuation byte 0x\(hex(UInt32(leadByte), width: 2))"
            case 0xC0, 0xC1: return "overlong encoding (lead byte 0x\(hex(UInt32(leadByte), width: 2)))"
            default: return "byte 0x\(hex(UInt32(leadByte), width: 2)), which never appears in UTF-8"
            }
        }
        guard bad < buffer.count, buffer[bad] & 0xC0 == 0x80 else { return "truncated sequence" }
        switch leadByte {
        case 0xE0, 0xF0: return "overlong encoding"
        case 0xED: return "encoded surrogate (U+D800...U+DFFF)"
        default: return "code point above U+10FFFF"
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension JSONSyntaxFailure.Reason {
    func message(found: String) -> String {
        switch self {
        case .emptyDocument: return "empty document: expected a JSON value"
        case .expectedValue: return "expected a JSON value, found \(found)"
        case .expectedKey(afterComma: false): return "expected '\"' to start an object key or '}', found \(found)"
        case .expectedKey(afterComma: true): return "expected '\"' to start an object key after ',', found \(found)"
        case .expectedColon: return "expected ':' after object key, found \(found)"
        case .expectedCommaOrObjectEnd: return "expected ',' or '}' after object member, found \(found)"
        case .expectedCommaOrArrayEnd: return "expected ',' or ']' after array element, found \(found)"
        case .trailingContent: return "unexpected \(found) after the JSON value"
        case .topLevelNotObject: return "expected '{': the top level must be an object, found \(found)"
        case .tooDeep(let limit): return "nesting deeper than the limit of \(limit) objects and arrays"
        case .invalidLiteral(let expected): return "invalid literal: expected '\(expected)', found \(found)"
        case .leadingZero: return "leading zeros are not allowed in numbers, found \(found)"
        case .expectedDigit(let after): return "expected a digit \(after), found \(found)"
        case .unterminatedString: return "unterminated string, found \(found)"
        case .controlCharacterInString: return "unescaped \(found) in string"
        case .invalidEscape: return "invalid escape in string: '\\' followed by \(found)"
        case .invalidUnicodeEscape: return "expected 4 hex digits after '\\u', found \(found)"
        case .unpairedHighSurrogate: return "high surrogate escape not followed by a '\\uDC00'...'\\uDFFF' low surrogate"
        case .unpairedLowSurrogate: return "low surrogate escape without a preceding high surrogate"
        case .invalidUTF8: return "invalid UTF-8 in string: \(found)"
        case .duplicateKey(let key): return "duplicate object key \(key)"
        }
    }
}
