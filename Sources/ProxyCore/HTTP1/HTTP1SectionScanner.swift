/// Finds where a head or trailer section ends, incrementally, as its bytes arrive.
///
/// Remembers how far it has looked, so a section delivered one byte at a time is examined once
/// overall (O(n), not O(n²)). While looking it rejects bare CR and bare LF and enforces the size
/// and count limits, so an oversized head fails as soon as the limit is crossed, before it ends.
/// All offsets are relative to the start of the section, which is where the caller's buffer
/// (plus the base it passes) begins on every call until the section completes.
struct HTTP1SectionScanner: Sendable {
    /// Which grammar the section follows.
    enum Kind: Sendable {
        /// A request head: optional empty lines, a request line, field lines, an empty line.
        case head
        /// A trailer section: field lines, an empty line (RFC 9112 §7.1.2).
        case trailers
    }

    /// What one call to `scan` found.
    enum Result {
        case incomplete
        /// The section ends at this offset (just after its final CRLF).
        case complete(end: Int)
        case failed(HTTP1ParseError)
    }

    /// The next offset to examine.
    private(set) var offset = 0
    /// Where the line being examined starts.
    private(set) var lineStart = 0
    /// Head only: where the request line starts (after any leading empty lines).
    private(set) var requestLineStart = 0
    /// Head only: the offset of the CR ending the request line, or -1 until it is found.
    private(set) var requestLineEnd = -1
    /// Complete field lines seen so far.
    private(set) var fieldLines = 0
    /// Every byte ever examined, across sections; lets tests check the O(n) property.
    private(set) var examinedBytes = 0

    /// Prepares for a new section; keeps `examinedBytes`.
    mutating func reset() {
        offset = 0
        lineStart = 0
        requestLineStart = 0
        requestLineEnd = -1
        fieldLines = 0
    }

    /// Examines `buffer[base...]` from where the last call stopped.
    mutating func scan(
        _ buffer: UnsafeRawBufferPointer, from base: Int, kind: Kind, limits: HTTP1Limits
    ) -> Result {
        let available = buffer.count - base
        // The whole section, final CRLF included, must fit in maxHeaderBytes: a CR at or after
        // maxHeaderBytes - 1 can never end a section that fits.
        let sectionLimit = limits.maxHeaderBytes
        while true {
            let onRequestLine = kind == .head && requestLineEnd < 0
            // A request line may be maxRequestLineBytes long, so its CR may sit just after that.
            let lineLimit = onRequestLine ? lineStart + limits.maxRequestLineBytes + 1 : Int.max
            let searchEnd = min(available, lineLimit, sectionLimit)
            let found = HTTP1Bytes.firstLineBreak(in: buffer, from: base + offset, to: base + searchEnd) - base
            examinedBytes += found - offset
            offset = found
            if found == searchEnd {
                if found >= lineLimit { return .failed(requestLineTooLong(buffer, base: base, limits: limits)) }
                if found >= sectionLimit { return .failed(sectionTooLarge(kind)) }
                return .incomplete
            }
            // RFC 9112 §2.2 lets a recipient treat a lone LF as a line terminator, and requires a
            // bare CR to be rejected or replaced. A proxy that reads framing differently from the
            // server behind it enables request smuggling, so both are rejected (ADR 0002).
            if buffer[base + found] == HTTP1Bytes.lf {
                return .failed(HTTP1ParseError(.badRequest, "bare LF in \(kind == .head ? "request head" : "trailer section")"))
            }
            guard found + 1 < available else { return .incomplete }  // CR is last: wait for its LF
            guard buffer[base + found + 1] == HTTP1Bytes.lf else {
                return .failed(HTTP1ParseError(.badRequest, "bare CR in \(kind == .head ? "request head" : "trailer section")"))
            }
            examinedBytes += 2
            let lineEnd = found
            offset = found + 2
            if offset > sectionLimit { return .failed(sectionTooLarge(kind)) }
            if onRequestLine {
                if lineEnd == lineStart {
                    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line (CRLF)
                    // received prior to the request-line. They count toward maxHeaderBytes.
                    requestLineStart = offset
                } else {
                    requestLineEnd = lineEnd
                }
            } else if lineEnd == lineStart {
                return .complete(end: offset)
            } else {
                fieldLines += 1
                if fieldLines > limits.maxHeaderCount {
                    return .failed(HTTP1ParseError(.headerTooLarge, "more than \(limits.maxHeaderCount) \(kind == .head ? "header" : "trailer") fields"))
                }
            }
            lineStart = offset
        }
    }

    private func sectionTooLarge(_ kind: Kind) -> HTTP1ParseError {
        HTTP1ParseError(.headerTooLarge, kind == .head ? "request head too large" : "trailer section too large")
    }

    /// 414 when the method ended within the limit and the target is what runs past it (one SP
    /// among the first maxRequestLineBytes + 1 bytes), 400 otherwise. Looks only at those bytes,
    /// so the answer does not depend on how the line was split across reads.
    private func requestLineTooLong(_ buffer: UnsafeRawBufferPointer, base: Int, limits: HTTP1Limits) -> HTTP1ParseError {
        var spaces = 0
        for i in (base + lineStart)..<(base + lineStart + limits.maxRequestLineBytes + 1) where buffer[i] == HTTP1Bytes.sp {
            spaces += 1
        }
        if spaces == 1 {
            return HTTP1ParseError(.uriTooLong, "request target longer than \(limits.maxRequestLineBytes) bytes")
        }
        return HTTP1ParseError(.badRequest, "request line longer than \(limits.maxRequestLineBytes) bytes")
    }
}
