/// Writes HTTP/1.1 responses (RFC 9112 §4, §7.1) into a byte buffer.
///
/// A pure function of its inputs; callable from any thread. Output never contains CR or LF
/// inside a field, whatever the caller passes: response splitting cannot come through here.
/// Fields whose name is not a token are dropped; control bytes in values and reasons become SP.
package enum HTTP1ResponseSerializer {
    /// Appends the status line, the header fields and the empty line ending the head.
    /// The fields `framing` decides are written after the handler's, which give way to them.
    /// A status outside 100...999 is a bug above us; it is written as 500 rather than trapping.
    package static func writeHead(
        _ head: HTTPResponseHead, version: HTTPVersion = .http1_1, framing: HTTPResponseFraming = .asGiven,
        into buffer: inout [UInt8]
    ) {
        let status = (100...999).contains(head.status) ? head.status : 500
        let reason = head.status == status ? head.reason ?? reasonPhrase(for: status) : reasonPhrase(for: 500)
        buffer.reserveCapacity(buffer.count + 128 + reason.utf8.count + head.headers.fields.count * 48)

        // status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF (RFC 9112 §4)
        // Appended byte by byte: an array literal here would allocate on every response.
        buffer.append(contentsOf: "HTTP/".utf8)
        buffer.append(UInt8(ascii: "0") + version.major % 10)
        buffer.append(UInt8(ascii: "."))
        buffer.append(UInt8(ascii: "0") + version.minor % 10)
        buffer.append(HTTP1Bytes.sp)
        buffer.append(UInt8(ascii: "0") + UInt8(status / 100))
        buffer.append(UInt8(ascii: "0") + UInt8(status / 10 % 10))
        buffer.append(UInt8(ascii: "0") + UInt8(status % 10))
        buffer.append(HTTP1Bytes.sp)
        appendSanitized(reason, to: &buffer)
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)

        var handlerSetDate = false
        for field in head.headers.fields {
            // Names are compared only when their length matches, so most fields cost a count.
            let name = field.name
            switch name.utf8.count {
            case 4 where HTTPHeaders.namesEqual(name, "date"):
                handlerSetDate = true
            case 10 where framing.closesConnection && HTTPHeaders.namesEqual(name, "connection"):
                continue
            case 14 where framing.replacesLengthFields && HTTPHeaders.namesEqual(name, "content-length"):
                continue
            case 17 where framing.replacesLengthFields && HTTPHeaders.namesEqual(name, "transfer-encoding"):
                continue
            default:
                break
            }
            appendField(name: name, value: field.value, to: &buffer)
        }
        switch framing.body {
        case .contentLength(let length):
            buffer.append(contentsOf: "content-length: ".utf8)
            appendDecimal(max(length, 0), to: &buffer)
            buffer.append(HTTP1Bytes.cr)
            buffer.append(HTTP1Bytes.lf)
        case .chunked:
            buffer.append(contentsOf: "transfer-encoding: chunked\r\n".utf8)
        case .closeDelimited, .asGiven:
            break
        }
        if framing.closesConnection { buffer.append(contentsOf: "connection: close\r\n".utf8) }
        if !handlerSetDate, let date = framing.date { appendField(name: "date", value: date, to: &buffer) }
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
    }

    /// Appends one chunk: `hex-size CRLF data CRLF` (RFC 9112 §7.1). Writes nothing for empty
    /// `bytes`, since a zero-size chunk would end the body.
    package static func writeChunk(_ bytes: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        buffer.reserveCapacity(buffer.count + bytes.count + 20)
        appendHex(bytes.count, to: &buffer)
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
        buffer.append(contentsOf: bytes)
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
    }

    /// Appends the last chunk and the trailer section: `0 CRLF *( field CRLF ) CRLF`
    /// (RFC 9112 §7.1), with the same field sanitizing as `writeHead`.
    package static func writeLastChunk(trailers: HTTPHeaders = HTTPHeaders(), into buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "0"), HTTP1Bytes.cr, HTTP1Bytes.lf])
        for field in trailers.fields { appendField(name: field.name, value: field.value, to: &buffer) }
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
    }

    /// Whether `name` is a valid field name: a non-empty token (RFC 9110 §5.1).
    package static func isValidFieldName(_ name: String) -> Bool {
        name.utf8.withContiguousStorageIfAvailable(isToken) ?? Array(name.utf8).withUnsafeBufferPointer(isToken)
    }

    /// Whether `value` can be sent as is: no control byte but HTAB, no leading or trailing
    /// whitespace (RFC 9110 §5.5).
    package static func isValidFieldValue(_ value: String) -> Bool {
        let utf8 = value.utf8
        if let first = utf8.first, HTTP1Bytes.isWhitespace(first) { return false }
        if let last = utf8.last, HTTP1Bytes.isWhitespace(last) { return false }
        return utf8.allSatisfy(HTTP1Bytes.isFieldValueByte)
    }

    /// Appends `name: value CRLF`, or nothing when `name` is not a token.
    static func appendField(name: String, value: String, to buffer: inout [UInt8]) {
        guard isValidFieldName(name) else { return }
        buffer.append(contentsOf: name.utf8)
        buffer.append(HTTP1Bytes.colon)
        buffer.append(HTTP1Bytes.sp)
        appendSanitized(value, to: &buffer)
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
    }

    /// Appends `text`, with every control byte except HTAB replaced by SP (RFC 9110 §5.5 allows a
    /// recipient to replace CR, LF and NUL with SP; a sender must not emit them at all).
    static func appendSanitized(_ text: String, to buffer: inout [UInt8]) {
        let appended: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            if HTTP1Bytes.firstInvalidFieldValueByte(in: UnsafeRawBufferPointer(bytes), 0..<bytes.count) == nil {
                buffer.append(contentsOf: bytes)
            } else {
                for b in bytes { buffer.append(HTTP1Bytes.isFieldValueByte(b) ? b : HTTP1Bytes.sp) }
            }
        }
        if appended == nil {
            for b in text.utf8 { buffer.append(HTTP1Bytes.isFieldValueByte(b) ? b : HTTP1Bytes.sp) }
        }
    }

    private static func isToken(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        HTTP1Bytes.isToken(UnsafeRawBufferPointer(bytes))
    }

    /// Appends `value` (non-negative) in decimal.
    static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Appends `value` (positive) in lowercase hex without leading zeros.
    static func appendHex(_ value: Int, to buffer: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var shift = (Int.bitWidth - value.leadingZeroBitCount + 3) / 4 * 4 - 4
        if shift < 0 { shift = 0 }
        while shift >= 0 {
            buffer.append(digits.utf8Start[(value >> shift) & 0xF])
            shift -= 4
        }
    }
}
