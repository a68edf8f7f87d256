extension HTTP1RequestParser {
    /// One field line, as ranges into the section holding it.
    struct FieldLine {
        var name: Range<Int>
        var value: Range<Int>
    }

    /// Parses `section[line]` (a line without its CRLF) as `field-name ":" OWS field-value OWS`
    /// (RFC 9112 §5), rejecting everything a lenient parser might read differently.
    static func parseFieldLine(_ section: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTP1ParseError) -> FieldLine {
        let first = section[line.lowerBound]
        // RFC 9112 §5.2: obs-fold is deprecated; a server MUST either reject it with 400 or
        // unfold it. Unfolding changes what the next hop sees, so it is rejected.
        if HTTP1Bytes.isWhitespace(first) {
            throw HTTP1ParseError(.invalidHeader, "obsolete line folding in field section")
        }
        let nameEnd = HTTP1Bytes.tokenEnd(in: section, from: line.lowerBound, to: line.upperBound)
        guard nameEnd < line.upperBound, section[nameEnd] == HTTP1Bytes.colon else {
            if nameEnd < line.upperBound, HTTP1Bytes.isWhitespace(section[nameEnd]) {
                // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a
                // server MUST reject such a request with 400.
                throw HTTP1ParseError(.invalidHeader, "whitespace between field name and colon: \"\(HTTP1Bytes.excerpt(section, line.lowerBound..<nameEnd))\"")
            }
            throw HTTP1ParseError(.invalidHeader, "malformed field line: \"\(HTTP1Bytes.excerpt(section, line))\"")
        }
        guard nameEnd > line.lowerBound else {
            throw HTTP1ParseError(.invalidHeader, "empty field name")
        }
        // RFC 9112 §5: OWS around the value is not part of it.
        let value = HTTP1Bytes.trimmingWhitespace(section, (nameEnd + 1)..<line.upperBound)
        if let j = HTTP1Bytes.firstInvalidFieldValueByte(in: section, value) {
            // RFC 9110 §5.5: CR, LF and NUL in a value MUST be rejected (or replaced by SP);
            // other control bytes are not valid field-value either.
            throw HTTP1ParseError(.invalidHeader, "control byte 0x\(String(section[j], radix: 16)) in value of \(HTTP1Bytes.excerpt(section, line.lowerBound..<nameEnd))")
        }
        return FieldLine(name: line.lowerBound..<nameEnd, value: value)
    }

    /// Calls `body` with every field line of `section[range]`, a run of CRLF-terminated lines
    /// already checked by the scanner (every CR is followed by LF, there is no bare LF).
    static func forEachFieldLine(
        _ section: UnsafeRawBufferPointer, _ range: Range<Int>,
        _ body: (FieldLine) throws(HTTP1ParseError) -> Void
    ) throws(HTTP1ParseError) {
        var i = range.lowerBound
        while i < range.upperBound {
            let lineEnd = HTTP1Bytes.firstLineBreak(in: section, from: i, to: range.upperBound)
            try body(parseFieldLine(section, i..<lineEnd))
            i = lineEnd + 2
        }
    }

    /// The field as Strings, each created once from its bytes. Bytes that are not UTF-8
    /// (obs-text) become U+FFFD.
    @inline(__always)
    static func makeField(_ section: UnsafeRawBufferPointer, _ line: FieldLine) -> (name: String, value: String) {
        (HTTPHeaders.fieldString(UnsafeRawBufferPointer(rebasing: section[line.name])),
         HTTPHeaders.fieldString(UnsafeRawBufferPointer(rebasing: section[line.value])))
    }

    /// Parses a complete trailer section (`section` ends with the CRLF of its empty line) with
    /// the same rules as header fields (RFC 9112 §7.1.2).
    static func parseTrailers(_ section: UnsafeRawBufferPointer, fieldLines: Int) throws(HTTP1ParseError) -> HTTPHeaders {
        var trailers = HTTPHeaders(reservingCapacity: fieldLines)
        try forEachFieldLine(section, 0..<(section.count - 2)) { line throws(HTTP1ParseError) in
            let field = makeField(section, line)
            trailers.append(name: field.name, value: field.value)
        }
        return trailers
    }
}
