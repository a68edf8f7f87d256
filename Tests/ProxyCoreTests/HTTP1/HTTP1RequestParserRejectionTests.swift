import Testing
@testable import ProxyCore

/// One malformed request: its bytes, the status and code the parser must answer with.
struct RejectionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var wire: [UInt8]
    var status: Int
    var code: HTTP1ParseError.Code
    var limits: HTTP1Limits = .default

    init(_ name: String, _ text: String, _ status: Int, _ code: HTTP1ParseError.Code, limits: HTTP1Limits = .default) {
        self.name = name
        self.wire = bytes(text)
        self.status = status
        self.code = code
        self.limits = limits
    }

    var testDescription: String { name }
}

private let get = "GET / HTTP/1.1\r\nHost: a\r\n"
private let chunkedPost = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
private let small = HTTP1Limits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 3, maxBodyBytes: 10, maxChunkLineBytes: 16)

/// The table: every strictness rule of the parser, one row each.
private let rejectionCases: [RejectionCase] = [
    // Request line (RFC 9112 §3).
    RejectionCase("double space after method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("double space before version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("trailing space after version", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("method is not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("missing version", "GET /\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("extra part after version", "GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("lowercase method is unknown", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, .methodNotImplemented),
    RejectionCase("unknown method", "BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 501, .methodNotImplemented),
    RejectionCase("CONNECT is not implemented", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", 501, .methodNotImplemented),
    RejectionCase("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, .versionNotSupported),
    RejectionCase("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, .versionNotSupported),
    RejectionCase("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("two-digit minor version", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("asterisk without OPTIONS", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("other scheme", "GET ftp://h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("absolute-form without authority", "GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("absolute-form with userinfo", "GET http://u@h/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("control byte in target", "GET /a\u{1}b HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("DEL in target", "GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("non-ASCII in target", "GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("NUL in request line", "GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("target too long", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, .uriTooLong),
    RejectionCase("target too long, line not finished", "GET /" + String(repeating: "a", count: 9000), 414, .uriTooLong),
    RejectionCase("method too long", String(repeating: "A", count: 9000) + " / HTTP/1.1\r\n\r\n", 400, .badRequest),
    RejectionCase("version part too long", "GET / HTTP/1.1" + String(repeating: "1", count: 60) + "\r\n\r\n", 400, .badRequest, limits: small),

    // Line endings (RFC 9112 §2.2, ADR 0002).
    RejectionCase("bare LF everywhere", "GET / HTTP/1.1\nHost: a\n\n", 400, .badRequest),
    RejectionCase("bare LF ending a field", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400, .badRequest),
    RejectionCase("bare LF ending the head", get + "\n", 400, .badRequest),
    RejectionCase("bare LF before the request line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("bare CR inside a field", "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, .badRequest),
    RejectionCase("CR CR LF", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400, .badRequest),

    // Field lines (RFC 9112 §5, RFC 9110 §5.5).
    RejectionCase("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, .invalidHeader),
    RejectionCase("tab before colon", get + "X-A\t: b\r\n\r\n", 400, .invalidHeader),
    RejectionCase("obs-fold with space", get + "X-A: b\r\n c\r\n\r\n", 400, .invalidHeader),
    RejectionCase("obs-fold with tab", get + "X-A: b\r\n\tc\r\n\r\n", 400, .invalidHeader),
    RejectionCase("NUL in value", get + "X-A: a\u{0}b\r\n\r\n", 400, .invalidHeader),
    RejectionCase("ESC in value", get + "X-A: a\u{1B}b\r\n\r\n", 400, .invalidHeader),
    RejectionCase("DEL in value", get + "X-A: a\u{7F}\r\n\r\n", 400, .invalidHeader),
    RejectionCase("empty field name", get + ": b\r\n\r\n", 400, .invalidHeader),
    RejectionCase("invalid byte in field name", get + "X(A): b\r\n\r\n", 400, .invalidHeader),
    RejectionCase("field line without colon", get + "NoColon\r\n\r\n", 400, .invalidHeader),
    RejectionCase("head larger than the limit", get + "X-A: " + String(repeating: "v", count: 40_000) + "\r\n\r\n", 431, .headerTooLarge),
    RejectionCase("head larger than the limit, not finished", get + "X-A: " + String(repeating: "v", count: 40_000), 431, .headerTooLarge),
    RejectionCase("terminator past the limit", "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "v", count: 128 - 31) + "\r\n\r\n", 431, .headerTooLarge, limits: small),
    RejectionCase("too many fields", get + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, .headerTooLarge, limits: small),
    RejectionCase("endless empty lines", String(repeating: "\r\n", count: 70), 431, .headerTooLarge, limits: small),

    // Host (RFC 9112 §3.2).
    RejectionCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, .invalidHost),
    RejectionCase("two Host fields", get + "host: b\r\n\r\n", 400, .invalidHost),
    RejectionCase("two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with a port that is not a number", "GET / HTTP/1.1\r\nHost: h:abc\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with two ports", "GET / HTTP/1.1\r\nHost: h:80:90\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with an unclosed IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with a negative port", "GET / HTTP/1.1\r\nHost: h:-1\r\n\r\n", 400, .invalidHost),
    RejectionCase("Host with a port and no name", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400, .invalidHost),

    // Paths (RFC 3986 §5.2.4): what would leave the base path of a backend.
    RejectionCase("dot segments above the root", "GET /v1/../../latest/meta-data HTTP/1.1\r\nHost: a\r\n\r\n", 400, .invalidPath),
    RejectionCase("encoded dot segments above the root", "GET /v1/%2e%2E/%2E./x HTTP/1.1\r\nHost: a\r\n\r\n", 400, .invalidPath),
    RejectionCase("absolute-form above the root", "GET http://h/a/../../x HTTP/1.1\r\nHost: h\r\n\r\n", 400, .invalidPath),
    RejectionCase("encoded slash", "GET /v1/..%2F..%2Fx HTTP/1.1\r\nHost: a\r\n\r\n", 400, .invalidPath),
    RejectionCase("backslash", "GET /v1\\..\\x HTTP/1.1\r\nHost: a\r\n\r\n", 400, .invalidPath),
    RejectionCase("broken percent escape", "GET /v1/%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400, .invalidPath),
    RejectionCase("fragment in the target", "GET /v1/models#x HTTP/1.1\r\nHost: a\r\n\r\n", 400, .badRequest),
    RejectionCase("absolute-form with an invalid port", "GET http://h:x/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, .badRequest),

    // Framing (RFC 9112 §6).
    RejectionCase("Transfer-Encoding with Content-Length", get + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400, .conflictingLength),
    RejectionCase("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("final coding not chunked", get + "Transfer-Encoding: gzip\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("chunked then gzip", get + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("unsupported coding before chunked", get + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501, .unsupportedTransferCoding),
    RejectionCase("chunked twice in one field", get + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("chunked twice in two fields", get + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("empty Transfer-Encoding", get + "Transfer-Encoding:\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("coding with parameters", get + "Transfer-Encoding: chunked;q=1\r\n\r\n", 400, .invalidTransferEncoding),
    RejectionCase("Content-Length not a number", get + "Content-Length: abc\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("negative Content-Length", get + "Content-Length: -1\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("Content-Length with a sign", get + "Content-Length: +5\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("Content-Length with inner space", get + "Content-Length: 1 2\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("empty Content-Length", get + "Content-Length:\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("empty element in Content-Length list", get + "Content-Length: 3,,3\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("19-digit Content-Length", get + "Content-Length: 1234567890123456789\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("huge Content-Length", get + "Content-Length: 99999999999999999999999999\r\n\r\n", 400, .invalidContentLength),
    RejectionCase("differing Content-Length list", get + "Content-Length: 3, 4\r\n\r\n", 400, .conflictingLength),
    RejectionCase("differing Content-Length fields", get + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n", 400, .conflictingLength),
    RejectionCase("declared body above the limit", get + "Content-Length: 8388609\r\n\r\n", 413, .bodyTooLarge),

    // Chunked bodies (RFC 9112 §7.1).
    RejectionCase("chunk size not hex", chunkedPost + "zz\r\n", 400, .invalidChunk),
    RejectionCase("empty chunk size", chunkedPost + "\r\n", 400, .invalidChunk),
    RejectionCase("negative chunk size", chunkedPost + "-1\r\n", 400, .invalidChunk),
    RejectionCase("chunk data not followed by CRLF", chunkedPost + "5\r\nhelloXX", 400, .invalidChunk),
    RejectionCase("chunk data followed by LF only", chunkedPost + "5\r\nhello\n0\r\n\r\n", 400, .invalidChunk),
    RejectionCase("chunk data followed by CR only", chunkedPost + "5\r\nhello\rX", 400, .invalidChunk),
    RejectionCase("bare LF after chunk size", chunkedPost + "5\nhello\r\n", 400, .invalidChunk),
    RejectionCase("bare CR after chunk size", chunkedPost + "5\rhello\r\n", 400, .invalidChunk),
    RejectionCase("17 hex digits", chunkedPost + "00000000000000001\r\n", 400, .invalidChunk),
    RejectionCase("chunk size overflows", chunkedPost + "FFFFFFFFFFFFFFFF\r\n", 400, .invalidChunk),
    RejectionCase("whitespace after chunk size", chunkedPost + "5 \r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("empty extension name", chunkedPost + "5;\r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("empty extension value", chunkedPost + "5;a=\r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("unterminated quoted extension", chunkedPost + "5;a=\"bc\r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("control byte in extension", chunkedPost + "5;a=\"b\u{0}\"\r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("chunk line too long", chunkedPost + "5;a=" + String(repeating: "x", count: 5000) + "\r\nhello\r\n", 400, .invalidChunk),
    RejectionCase("chunk line too long, not finished", chunkedPost + "5;a=" + String(repeating: "x", count: 5000), 400, .invalidChunk),
    RejectionCase("chunk above the body limit", chunkedPost + "800001\r\n", 413, .bodyTooLarge),
    RejectionCase("chunks add up above the body limit", chunkedPost + "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n", 413, .bodyTooLarge, limits: small),
    RejectionCase("space before colon in trailer", chunkedPost + "0\r\nX : y\r\n\r\n", 400, .invalidHeader),
    RejectionCase("obs-fold in trailer", chunkedPost + "0\r\nX: y\r\n z\r\n\r\n", 400, .invalidHeader),
    RejectionCase("bare LF in trailer", chunkedPost + "0\r\nX: y\n\r\n", 400, .badRequest),
    RejectionCase("too many trailers", chunkedPost + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", 431, .headerTooLarge, limits: small),
    RejectionCase("trailer section too large", chunkedPost + "0\r\nA: " + String(repeating: "t", count: 200) + "\r\n\r\n", 431, .headerTooLarge,
                  limits: HTTP1Limits(maxHeaderBytes: 128)),

    // Expectations (RFC 9110 §10.1.1).
    RejectionCase("unknown expectation", get + "Expect: something\r\n\r\n", 417, .expectationFailed),
    RejectionCase("100-continue in a list", get + "Expect: 100-continue, x\r\n\r\n", 417, .expectationFailed),
]

@Suite struct HTTP1RequestParserRejectionTests {
    @Test(arguments: rejectionCases)
    func parserRejectsMalformedRequest(_ row: RejectionCase) {
        // Fed whole and at every split (byte by byte only when short, to keep the suite quick).
        let outcome = HTTP1ParserDriver.runAllSplits(row.wire, limits: row.limits, byteByByte: row.wire.count < 2048)
        #expect(outcome.error?.status == row.status)
        #expect(outcome.error?.code == row.code)
        #expect(outcome.error?.code.status == row.status)
    }

    @Test func parserRejectsConflictingContentLength() {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(get + "Content-Length: 10\r\nContent-Length: 11\r\n\r\n"))
        #expect(outcome.error?.code == .conflictingLength)
        #expect(outcome.error?.code.rawValue == "conflicting_length")
        #expect(outcome.requests.isEmpty)
    }

    @Test func errorCodesAreStableSnakeCase() {
        for code in HTTP1ParseError.Code.allCases {
            #expect(code.rawValue.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F })
            #expect([400, 413, 414, 417, 431, 501, 505].contains(code.status))
        }
    }
}
