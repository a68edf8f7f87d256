/// An incremental, strict HTTP/1.1 request parser (RFC 9112): a state machine fed with bytes
/// that returns one event per call.
///
/// Called on the connection's event loop; never blocks, never allocates for bytes it only
/// scans. The caller owns the buffer and must:
/// - pass, on every call, the bytes not yet consumed followed by any new data;
/// - drop `step.consumed` bytes from the front of its buffer after each call (body ranges stay
///   valid until then);
/// - call again until the event is `.needMoreData` (or `.error`), then wait for more bytes.
///
/// Each request yields `.head`, zero or more `.body`, then `.end`; after `.end` the parser reads
/// the next request on the connection (pipelining). A head is returned only once complete
/// (consumed stays 0 until then) but the parser remembers how far it looked, so a head arriving
/// one byte at a time costs O(n) overall. After `.error` the parser stays failed: answer with the
/// error's status and close the connection. However the bytes are split across reads, the events
/// are the same, except for how body bytes are split into ranges.
package struct HTTP1RequestParser: Sendable {
    /// Where the parser is in the current request.
    enum State: Sendable {
        /// Reading a request head (or the empty lines before it).
        case head
        /// Inside a Content-Length body.
        case fixedBody(remaining: Int)
        /// Reading a chunk-size line (RFC 9112 §7.1).
        case chunkLine
        /// Inside the data of a chunk.
        case chunkData(remaining: Int)
        /// Expecting the CRLF after a chunk's data.
        case chunkDataEnd
        /// Reading the trailer section after the last chunk (RFC 9112 §7.1.2).
        case trailers
        /// The request is complete; `.end` is the next event.
        case end(HTTPHeaders)
        case failed(HTTP1ParseError)
    }

    package let limits: HTTP1Limits
    var state: State = .head
    var scanner = HTTP1SectionScanner()
    /// How far into the current chunk-size line the parser has looked.
    var chunkLineOffset = 0
    var chunkLineExaminedBytes = 0
    /// Chunk data declared so far in the current body.
    var chunkedBodyBytes = 0

    package init(limits: HTTP1Limits = .default) {
        self.limits = limits
    }

    /// Bytes examined while looking for line ends since the parser was created. Exposed so tests
    /// can check that rescanning is linear; not for production use.
    package var examinedByteCount: Int { scanner.examinedBytes + chunkLineExaminedBytes }

    /// Whether the parser is between requests: nothing of the next request has been consumed yet.
    /// A connection may be closed cleanly (or idle buffers released) only in this state.
    package var isIdle: Bool {
        if case .head = state { return scanner.offset == 0 }
        return false
    }

    /// Parses the bytes at the front of `buffer` (which must start at the first byte not yet
    /// consumed) and returns how many bytes were consumed and what was found.
    package mutating func parse(_ buffer: UnsafeRawBufferPointer) -> HTTP1ParseStep {
        var consumed = 0
        while true {
            switch state {
            case .failed(let error):
                return HTTP1ParseStep(consumed: consumed, event: .error(error))

            case .end(let trailers):
                state = .head
                return HTTP1ParseStep(consumed: consumed, event: .end(trailers: trailers))

            case .head:
                return parseHead(buffer, from: consumed)

            case .fixedBody(let remaining):
                let available = buffer.count - consumed
                guard available > 0 else { return HTTP1ParseStep(consumed: consumed, event: .needMoreData) }
                let count = min(remaining, available)
                state = count == remaining ? .end(HTTPHeaders()) : .fixedBody(remaining: remaining - count)
                return HTTP1ParseStep(consumed: consumed + count, event: .body(consumed..<(consumed + count)))

            case .chunkLine:
                switch parseChunkLine(buffer, from: consumed) {
                case .incomplete:
                    return HTTP1ParseStep(consumed: consumed, event: .needMoreData)
                case .failed(let error):
                    return fail(error, consumed: consumed)
                case .chunk(let size, let lineLength):
                    consumed += lineLength
                    if size == 0 {
                        scanner.reset()
                        state = .trailers
                    } else {
                        // Checked before any data is accepted: the cumulative body is bounded
                        // even when each chunk is small.
                        guard size <= limits.maxBodyBytes - chunkedBodyBytes else {
                            return fail(HTTP1ParseError(.bodyTooLarge, "chunked body larger than \(limits.maxBodyBytes) bytes"), consumed: consumed)
                        }
                        chunkedBodyBytes += size
                        state = .chunkData(remaining: size)
                    }
                }

            case .chunkData(let remaining):
                let available = buffer.count - consumed
                guard available > 0 else { return HTTP1ParseStep(consumed: consumed, event: .needMoreData) }
                let count = min(remaining, available)
                state = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
                return HTTP1ParseStep(consumed: consumed + count, event: .body(consumed..<(consumed + count)))

            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF. Anything
                // else after the data means the declared size was wrong.
                let available = buffer.count - consumed
                guard available > 0 else { return HTTP1ParseStep(consumed: consumed, event: .needMoreData) }
                guard buffer[consumed] == HTTP1Bytes.cr else {
                    return fail(HTTP1ParseError(.invalidChunk, "chunk data not followed by CRLF"), consumed: consumed)
                }
                guard available > 1 else { return HTTP1ParseStep(consumed: consumed, event: .needMoreData) }
                guard buffer[consumed + 1] == HTTP1Bytes.lf else {
                    return fail(HTTP1ParseError(.invalidChunk, "chunk data not followed by CRLF"), consumed: consumed)
                }
                consumed += 2
                state = .chunkLine

            case .trailers:
                switch scanner.scan(buffer, from: consumed, kind: .trailers, limits: limits) {
                case .incomplete:
                    return HTTP1ParseStep(consumed: consumed, event: .needMoreData)
                case .failed(let error):
                    return fail(error, consumed: consumed)
                case .complete(let end):
                    let section = UnsafeRawBufferPointer(rebasing: buffer[consumed..<(consumed + end)])
                    let fieldLines = scanner.fieldLines
                    scanner.reset()
                    do {
                        let trailers = try Self.parseTrailers(section, fieldLines: fieldLines)
                        state = .head
                        return HTTP1ParseStep(consumed: consumed + end, event: .end(trailers: trailers))
                    } catch {
                        return fail(error, consumed: consumed)
                    }
                }
            }
        }
    }

    /// Enters the failed state (which every later call reports) and returns the error step.
    mutating func fail(_ error: HTTP1ParseError, consumed: Int) -> HTTP1ParseStep {
        state = .failed(error)
        return HTTP1ParseStep(consumed: consumed, event: .error(error))
    }
}
