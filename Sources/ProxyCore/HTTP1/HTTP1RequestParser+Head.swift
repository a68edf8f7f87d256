extension HTTP1RequestParser {
    /// What the header fields say about framing and connection handling, gathered from bytes
    /// while the fields are parsed.
    struct HeadFacts {
        var hostCount = 0
        var contentLength: Int?
        var transferEncodingSeen = false
        var codingCount = 0
        var chunkedCount = 0
        var lastCodingIsChunked = false
        var otherCodingSeen = false
        var connectionClose = false
        var connectionKeepAlive = false
        var expectContinue = false
        var expectOther = false
    }

    /// Scans for the end of the head at `buffer[base...]`; once complete, validates it, sets
    /// the body state from its framing and returns it. Consumes nothing until then.
    mutating func parseHead(_ buffer: UnsafeRawBufferPointer, from base: Int) -> HTTP1ParseStep {
        switch scanner.scan(buffer, from: base, kind: .head, limits: limits) {
        case .incomplete:
            return HTTP1ParseStep(consumed: base, event: .needMoreData)
        case .failed(let error):
            return fail(error, consumed: base)
        case .complete(let end):
            let section = UnsafeRawBufferPointer(rebasing: buffer[base..<(base + end)])
            let requestLine = scanner.requestLineStart..<scanner.requestLineEnd
            let fieldLines = scanner.fieldLines
            scanner.reset()
            do {
                let head = try Self.makeHead(section, requestLine: requestLine, fieldLines: fieldLines, limits: limits)
                switch head.framing {
                case .none, .contentLength(0):
                    state = .end(HTTPHeaders())
                case .contentLength(let length):
                    state = .fixedBody(remaining: length)
                case .chunked:
                    chunkedBodyBytes = 0
                    chunkLineOffset = 0
                    state = .chunkLine
                }
                return HTTP1ParseStep(consumed: base + end, event: .head(head))
            } catch {
                return fail(error, consumed: base)
            }
        }
    }

    /// Builds the request head from a complete section. Checks, in order: request line syntax
    /// (400), version (505), method (501), target form (400), fields (400), Host (400),
    /// framing (400, 501), declared body size (413), expectations (417), path (400).
    static func makeHead(
        _ section: UnsafeRawBufferPointer, requestLine: Range<Int>, fieldLines: Int, limits: HTTP1Limits
    ) throws(HTTP1ParseError) -> HTTPRequestHead {
        let line = try RequestLine(section, requestLine)

        var headers = HTTPHeaders(reservingCapacity: fieldLines)
        var facts = HeadFacts()
        try forEachFieldLine(section, (requestLine.upperBound + 2)..<(section.count - 2)) { field throws(HTTP1ParseError) in
            try noteField(section, field, into: &facts)
            let strings = makeField(section, field)
            headers.append(name: strings.name, value: strings.value)
        }

        // RFC 9112 §3.2: a server MUST respond with 400 to any HTTP/1.1 request that lacks a
        // Host header field and to any request that contains more than one.
        if facts.hostCount == 0 && line.version == .http1_1 {
            throw HTTP1ParseError(.invalidHost, "HTTP/1.1 request without Host")
        }
        if facts.hostCount > 1 {
            throw HTTP1ParseError(.invalidHost, "more than one Host field")
        }

        var framing = HTTPBodyFraming.none
        if facts.transferEncodingSeen {
            // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
            if line.version == .http1_0 {
                throw HTTP1ParseError(.invalidTransferEncoding, "Transfer-Encoding in an HTTP/1.0 request")
            }
            // RFC 9112 §6.1: a server MAY reject a request with both; a proxy must, since the
            // next hop may pick the other one (request smuggling).
            if facts.contentLength != nil {
                throw HTTP1ParseError(.conflictingLength, "both Transfer-Encoding and Content-Length")
            }
            // RFC 9112 §6.3: chunked not final in a request → 400.
            guard facts.codingCount > 0, facts.lastCodingIsChunked else {
                throw HTTP1ParseError(.invalidTransferEncoding, "chunked is not the final transfer coding")
            }
            // RFC 9112 §6.1: a sender MUST NOT apply chunked more than once.
            guard facts.chunkedCount == 1 else {
                throw HTTP1ParseError(.invalidTransferEncoding, "chunked applied more than once")
            }
            // RFC 9112 §6.1: a server that receives a transfer coding it does not understand
            // SHOULD respond with 501.
            guard !facts.otherCodingSeen else {
                throw HTTP1ParseError(.unsupportedTransferCoding, "only the chunked transfer coding is supported")
            }
            framing = .chunked
        } else if let length = facts.contentLength {
            guard length <= limits.maxBodyBytes else {
                throw HTTP1ParseError(.bodyTooLarge, "Content-Length \(length) exceeds \(limits.maxBodyBytes) bytes")
            }
            framing = .contentLength(length)
        }

        // RFC 9110 §10.1.1: a server that receives an Expect value other than 100-continue MAY
        // answer 417; a 100-continue expectation in an HTTP/1.0 request MUST be ignored.
        if facts.expectOther {
            throw HTTP1ParseError(.expectationFailed, "only Expect: 100-continue is supported")
        }

        let keepAlive: Bool
        if line.version == .http1_1 {
            keepAlive = !facts.connectionClose
        } else {
            keepAlive = facts.connectionKeepAlive && !facts.connectionClose
        }

        return try HTTPRequestHead(
            method: line.method,
            target: String(decoding: UnsafeRawBufferPointer(rebasing: section[line.target]), as: UTF8.self),
            version: line.version,
            headers: headers,
            keepAlive: keepAlive,
            framing: framing,
            expectsContinue: facts.expectContinue && line.version == .http1_1
        )
    }

    /// Records what a field means for framing and connection handling, checking the fields that
    /// affect framing (Content-Length, Transfer-Encoding) and routing (Host) strictly.
    static func noteField(_ section: UnsafeRawBufferPointer, _ field: FieldLine, into facts: inout HeadFacts) throws(HTTP1ParseError) {
        let name = UnsafeRawBufferPointer(rebasing: section[field.name])
        switch name.count {
        case 4 where HTTP1Bytes.equalsIgnoringCase(name, "host"):
            facts.hostCount += 1
            try checkHost(section, field.value)
        case 6 where HTTP1Bytes.equalsIgnoringCase(name, "expect"):
            if HTTP1Bytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: section[field.value]), "100-continue") {
                facts.expectContinue = true
            } else {
                facts.expectOther = true
            }
        case 10 where HTTP1Bytes.equalsIgnoringCase(name, "connection"):
            // RFC 9112 §9.3, RFC 9110 §7.6.1: Connection is a list of case-insensitive tokens.
            HTTP1Bytes.forEachListElement(section, field.value) { element in
                let token = UnsafeRawBufferPointer(rebasing: section[element])
                if HTTP1Bytes.equalsIgnoringCase(token, "close") { facts.connectionClose = true }
                if HTTP1Bytes.equalsIgnoringCase(token, "keep-alive") { facts.connectionKeepAlive = true }
                return true
            }
        case 14 where HTTP1Bytes.equalsIgnoringCase(name, "content-length"):
            try noteContentLength(section, field.value, into: &facts)
        case 17 where HTTP1Bytes.equalsIgnoringCase(name, "transfer-encoding"):
            try noteTransferEncoding(section, field.value, into: &facts)
        default:
            break
        }
    }

    /// RFC 9112 §6.3 and RFC 9110 §8.6: Content-Length is 1*DIGIT; identical repeated values
    /// are one value, differing ones are rejected (`ContentLengthField`).
    static func noteContentLength(_ section: UnsafeRawBufferPointer, _ value: Range<Int>, into facts: inout HeadFacts) throws(HTTP1ParseError) {
        switch ContentLengthField.merge(section, value, into: facts.contentLength) {
        case .success(let length):
            facts.contentLength = length
        case .failure(.empty):
            throw HTTP1ParseError(.invalidContentLength, "empty Content-Length")
        case .failure(.tooLarge):
            throw HTTP1ParseError(.invalidContentLength, "Content-Length too large")
        case .failure(.notANumber):
            throw HTTP1ParseError(.invalidContentLength, "Content-Length is not a number: \"\(HTTP1Bytes.excerpt(section, value))\"")
        case .failure(.conflicting):
            throw HTTP1ParseError(.conflictingLength, "differing Content-Length values")
        }
    }

    /// RFC 9112 §6.1: Transfer-Encoding lists codings in the order applied; repeated fields
    /// continue the list. Only `chunked` is understood.
    static func noteTransferEncoding(_ section: UnsafeRawBufferPointer, _ value: Range<Int>, into facts: inout HeadFacts) throws(HTTP1ParseError) {
        facts.transferEncodingSeen = true
        var failure: HTTP1ParseError?
        HTTP1Bytes.forEachListElement(section, value) { element in
            // RFC 9110 §5.6.1: empty list elements are ignored.
            if element.isEmpty { return true }
            for i in element where !HTTP1Bytes.isTokenByte(section[i]) {
                failure = HTTP1ParseError(.invalidTransferEncoding, "malformed transfer coding: \"\(HTTP1Bytes.excerpt(section, element))\"")
                return false
            }
            facts.codingCount += 1
            if HTTP1Bytes.equalsIgnoringCase(UnsafeRawBufferPointer(rebasing: section[element]), "chunked") {
                facts.chunkedCount += 1
                facts.lastCodingIsChunked = true
            } else {
                facts.otherCodingSeen = true
                facts.lastCodingIsChunked = false
            }
            return true
        }
        if let failure { throw failure }
    }

    /// Host = uri-host [ ":" port ] (RFC 9112 §3.2, RFC 9110 §7.2), with uri-host a reg-name,
    /// an IPv4 address or a bracketed IPv6 address (RFC 3986 §3.2.2) and port 1 to 5 digits up
    /// to 65535. A Host field may be empty (RFC 9112 §3.2); an absolute-form authority may not.
    /// No userinfo, path or whitespace reaches routing, and `h:abc`, `h:80:90`, `[::1`,
    /// `:80` are refused.
    static func checkHost(_ section: UnsafeRawBufferPointer, _ value: Range<Int>) throws(HTTP1ParseError) {
        guard value.isEmpty || URIHost.isValidAuthority(section, value) else {
            throw HTTP1ParseError(.invalidHost, "invalid Host: \"\(HTTP1Bytes.excerpt(section, value))\"")
        }
    }
}
