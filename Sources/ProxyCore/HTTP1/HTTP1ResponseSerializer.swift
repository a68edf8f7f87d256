/// Writes HTTP/1.1 responses (RFC 9112 §4, §7.1) into a byte buffer.
///
/// A pure function of its inputs; callable from any thread. Output never contains CR or LF
/// inside a field, whatever the caller passes: response splitting cannot come through here.
/// Fields whose name is not a token are dropped; control bytes in values and reasons become SP.
package enum HTTP1ResponseSerializer {
    /// Appends the status line, the header fields and the empty line ending the head.
    /// A status outside 100...999 is a bug above us; it is written as 500 rather than trapping.
    package static func writeHead(_ head: HTTPResponseHead, version: HTTPVersion = .http1_1, into buffer: inout [UInt8]) {
        let status = (100...999).contains(head.status) ? head.status : 500
        let reason = head.status == status ? head.reason ?? reasonPhrase(for: status) : reasonPhrase(for: 500)
        buffer.reserveCapacity(buffer.count + 32 + reason.utf8.count + head.headers.fields.count * 32)

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

        for field in head.headers.fields where isValidFieldName(field.name) {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(HTTP1Bytes.colon)
            buffer.append(HTTP1Bytes.sp)
            appendSanitized(field.value, to: &buffer)
            buffer.append(HTTP1Bytes.cr)
            buffer.append(HTTP1Bytes.lf)
        }
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
        for field in trailers.fields where isValidFieldName(field.name) {
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(HTTP1Bytes.colon)
            buffer.append(HTTP1Bytes.sp)
            appendSanitized(field.value, to: &buffer)
            buffer.append(HTTP1Bytes.cr)
            buffer.append(HTTP1Bytes.lf)
        }
        buffer.append(HTTP1Bytes.cr)
        buffer.append(HTTP1Bytes.lf)
    }

    /// Whether `name` is a valid field name: a non-empty token (RFC 9110 §5.1).
    package static func isValidFieldName(_ name: String) -> Bool {
        !name.utf8.isEmpty && name.utf8.allSatisfy(HTTP1Bytes.isTokenByte)
    }

    /// Whether `value` can be sent as is: no control byte but HTAB, no leading or trailing
    /// whitespace (RFC 9110 §5.5).
    package static func isValidFieldValue(_ value: String) -> Bool {
        let utf8 = value.utf8
        if let first = utf8.first, HTTP1Bytes.isWhitespace(first) { return false }
        if let last = utf8.last, HTTP1Bytes.isWhitespace(last) { return false }
        return utf8.allSatisfy(HTTP1Bytes.isFieldValueByte)
    }

    /// Appends `text`, with every control byte except HTAB replaced by SP (RFC 9110 §5.5 allows a
    /// recipient to replace CR, LF and NUL with SP; a sender must not emit them at all).
    static func appendSanitized(_ text: String, to buffer: inout [UInt8]) {
        let utf8 = text.utf8
        if utf8.allSatisfy(HTTP1Bytes.isFieldValueByte) {
            buffer.append(contentsOf: utf8)
        } else {
            for b in utf8 { buffer.append(HTTP1Bytes.isFieldValueByte(b) ? b : HTTP1Bytes.sp) }
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
