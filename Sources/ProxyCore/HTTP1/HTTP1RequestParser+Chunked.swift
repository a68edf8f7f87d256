extension HTTP1RequestParser {
    /// What reading a chunk-size line found.
    enum ChunkLineResult {
        case incomplete
        /// A valid chunk-size line: the chunk's size and the line's length including CRLF.
        case chunk(size: Int, lineLength: Int)
        case failed(HTTP1ParseError)
    }

    /// Reads a chunk-size line at `buffer[base...]`: `chunk-size [ chunk-ext ] CRLF`
    /// (RFC 9112 §7.1). Remembers how far it looked, like the head scanner.
    mutating func parseChunkLine(_ buffer: UnsafeRawBufferPointer, from base: Int) -> ChunkLineResult {
        let available = buffer.count - base
        let lineLimit = limits.maxChunkLineBytes + 1
        let searchEnd = min(available, lineLimit)
        let found = HTTP1Bytes.firstLineBreak(in: buffer, from: base + chunkLineOffset, to: base + searchEnd) - base
        chunkLineExaminedBytes += found - chunkLineOffset
        chunkLineOffset = found
        if found == searchEnd {
            if found >= lineLimit {
                return .failed(HTTP1ParseError(.invalidChunk, "chunk line longer than \(limits.maxChunkLineBytes) bytes"))
            }
            return .incomplete
        }
        // Same line-ending rule as the head (RFC 9112 §2.2, ADR 0002).
        guard buffer[base + found] == HTTP1Bytes.cr else {
            return .failed(HTTP1ParseError(.invalidChunk, "bare LF in chunk line"))
        }
        guard found + 1 < available else { return .incomplete }
        guard buffer[base + found + 1] == HTTP1Bytes.lf else {
            return .failed(HTTP1ParseError(.invalidChunk, "bare CR in chunk line"))
        }
        chunkLineExaminedBytes += 2
        chunkLineOffset = 0
        let line = UnsafeRawBufferPointer(rebasing: buffer[base..<(base + found)])
        do {
            return .chunk(size: try Self.parseChunkSizeLine(line), lineLength: found + 2)
        } catch {
            return .failed(error)
        }
    }

    /// Parses a chunk-size line without its CRLF and returns the size. Extensions are checked
    /// and skipped: `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`
    /// (RFC 9112 §7.1.1).
    static func parseChunkSizeLine(_ line: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Int {
        // chunk-size = 1*HEXDIG. At most 16 digits, and each step overflow-checked: a size from
        // the peer must never trap.
        var size = 0
        var i = 0
        while i < line.count, let digit = hexValue(line[i]) {
            guard i < 16 else { throw HTTP1ParseError(.invalidChunk, "chunk size has more than 16 hex digits") }
            let (shifted, o1) = size.multipliedReportingOverflow(by: 16)
            let (sum, o2) = shifted.addingReportingOverflow(digit)
            guard !o1 && !o2 else { throw HTTP1ParseError(.invalidChunk, "chunk size too large") }
            size = sum
            i += 1
        }
        guard i > 0 else { throw HTTP1ParseError(.invalidChunk, "invalid chunk size: \"\(HTTP1Bytes.excerpt(line, 0..<line.count))\"") }

        while i < line.count {
            i = skipWhitespace(line, i)
            guard i < line.count, line[i] == HTTP1Bytes.semicolon else {
                throw HTTP1ParseError(.invalidChunk, "invalid chunk extension: \"\(HTTP1Bytes.excerpt(line, 0..<line.count))\"")
            }
            i = skipWhitespace(line, i + 1)
            let nameStart = i
            while i < line.count && HTTP1Bytes.isTokenByte(line[i]) { i += 1 }
            guard i > nameStart else { throw HTTP1ParseError(.invalidChunk, "empty chunk extension name") }
            let afterName = skipWhitespace(line, i)
            guard afterName < line.count, line[afterName] == UInt8(ascii: "=") else { continue }
            i = skipWhitespace(line, afterName + 1)
            if i < line.count && line[i] == UInt8(ascii: "\"") {
                i = try skipQuotedString(line, i)
            } else {
                let valueStart = i
                while i < line.count && HTTP1Bytes.isTokenByte(line[i]) { i += 1 }
                guard i > valueStart else { throw HTTP1ParseError(.invalidChunk, "empty chunk extension value") }
            }
        }
        return size
    }

    /// Skips `quoted-string` starting at the opening DQUOTE (RFC 9110 §5.6.4); returns the
    /// offset after the closing one.
    static func skipQuotedString(_ line: UnsafeRawBufferPointer, _ start: Int) throws(HTTP1ParseError) -> Int {
        var i = start + 1
        while i < line.count {
            let b = line[i]
            if b == UInt8(ascii: "\"") { return i + 1 }
            if b == UInt8(ascii: "\\") {
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                guard i + 1 < line.count, HTTP1Bytes.isFieldValueByte(line[i + 1]) else { break }
                i += 2
            } else {
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                guard HTTP1Bytes.isFieldValueByte(b) else { break }
                i += 1
            }
        }
        throw HTTP1ParseError(.invalidChunk, "malformed quoted string in chunk extension")
    }

    @inline(__always)
    static func skipWhitespace(_ line: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var i = start
        while i < line.count && HTTP1Bytes.isWhitespace(line[i]) { i += 1 }
        return i
    }

    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
