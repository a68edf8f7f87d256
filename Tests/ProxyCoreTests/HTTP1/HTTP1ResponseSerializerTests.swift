import Testing
@testable import ProxyCore

@Suite struct HTTP1ResponseSerializerTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func serializerWritesStatusLineHeadersAndEmptyLine() {
        var out: [UInt8] = []
        let head = HTTPResponseHead(status: 200, headers: ["Content-Type": "application/json", "Content-Length": "2", "X-Dup": "a", "x-dup": "b"])
        HTTP1ResponseSerializer.writeHead(head, into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nX-Dup: a\r\nx-dup: b\r\n\r\n")
    }

    @Test(arguments: [
        (100, "Continue"), (204, "No Content"), (400, "Bad Request"), (413, "Content Too Large"),
        (414, "URI Too Long"), (417, "Expectation Failed"), (429, "Too Many Requests"),
        (431, "Request Header Fields Too Large"), (501, "Not Implemented"), (502, "Bad Gateway"),
        (503, "Service Unavailable"), (504, "Gateway Timeout"), (505, "HTTP Version Not Supported"),
    ])
    func serializerUsesStandardReasonPhrases(_ status: Int, _ reason: String) {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: status), into: &out)
        #expect(text(out) == "HTTP/1.1 \(status) \(reason)\r\n\r\n")
    }

    @Test func serializerWritesCustomAndMissingReasonsAndOtherVersions() {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: 599, reason: nil), version: .http1_0, into: &out)
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: 200, reason: "Fine"), into: &out)
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: 42), into: &out)
        #expect(text(out) == "HTTP/1.0 599 \r\n\r\nHTTP/1.1 200 Fine\r\n\r\nHTTP/1.1 500 Internal Server Error\r\n\r\n")
    }

    @Test func serializerNeverWritesLineBreaksInsideFields() {
        var out: [UInt8] = []
        let head = HTTPResponseHead(
            status: 200,
            headers: [
                "X-Injected": "a\r\nSet-Cookie: evil=1",
                "X-Nul": "a\u{0}b\u{7F}c\td",
                "Bad Name": "dropped",
                "Bad\r\nName": "dropped",
                "": "dropped",
                "X-Ok": "caf\u{E9}",
            ],
            reason: "OK\r\nX-Evil: 1")
        HTTP1ResponseSerializer.writeHead(head, into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK  X-Evil: 1\r\nX-Injected: a  Set-Cookie: evil=1\r\nX-Nul: a b c\td\r\nX-Ok: caf\u{E9}\r\n\r\n")
        // The only CR and LF bytes are the line ends.
        let lines = text(out).utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.dropLast().allSatisfy { $0.last == 0x0D && !$0.dropLast().contains(0x0D) })
        // And the result reads back as a valid field section.
        let asRequest = bytes("GET / HTTP/1.1\r\nHost: a\r\n") + out.drop(while: { $0 != 0x0A }).dropFirst()
        let outcome = HTTP1ParserDriver.run(asRequest, splits: [])
        #expect(outcome.error == nil)
        #expect(outcome.requests.first?.head.headers.first("x-injected") == "a  Set-Cookie: evil=1")
    }

    @Test func fieldValidatorsMatchTheGrammar() {
        #expect(HTTP1ResponseSerializer.isValidFieldName("X-Request-Id"))
        #expect(!HTTP1ResponseSerializer.isValidFieldName("X Request"))
        #expect(!HTTP1ResponseSerializer.isValidFieldName(""))
        #expect(HTTP1ResponseSerializer.isValidFieldValue("a b\tc"))
        #expect(HTTP1ResponseSerializer.isValidFieldValue(""))
        #expect(!HTTP1ResponseSerializer.isValidFieldValue(" a"))
        #expect(!HTTP1ResponseSerializer.isValidFieldValue("a\r\nb"))
        #expect(!HTTP1ResponseSerializer.isValidFieldValue("a\u{0}"))
    }

    @Test func framingFieldsReplaceTheHandlersOwn() {
        let handlerFields: HTTPHeaders = [
            "Content-Type": "application/json", "Content-Length": "999", "transfer-encoding": "gzip",
            "Connection": "keep-alive", "X-Other": "kept",
        ]
        let head = HTTPResponseHead(status: 200, headers: handlerFields)
        var out: [UInt8] = []
        HTTP1ResponseSerializer.writeHead(
            head, framing: HTTPResponseFraming(body: .contentLength(1234567), closesConnection: true, date: "Sun, 22 Nov 2026 05:00:00 GMT"),
            into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Other: kept\r\n"
            + "content-length: 1234567\r\nconnection: close\r\ndate: Sun, 22 Nov 2026 05:00:00 GMT\r\n\r\n")

        out = []
        HTTP1ResponseSerializer.writeHead(head, framing: HTTPResponseFraming(body: .chunked), into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
            + "X-Other: kept\r\ntransfer-encoding: chunked\r\n\r\n")

        out = []
        HTTP1ResponseSerializer.writeHead(head, version: .http1_0, framing: HTTPResponseFraming(body: .closeDelimited, closesConnection: true), into: &out)
        #expect(text(out) == "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nX-Other: kept\r\nconnection: close\r\n\r\n")

        // `asGiven` leaves the handler's fields alone.
        out = []
        HTTP1ResponseSerializer.writeHead(head, framing: .asGiven, into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999\r\n"
            + "transfer-encoding: gzip\r\nConnection: keep-alive\r\nX-Other: kept\r\n\r\n")
    }

    @Test func dateIsAddedOnlyWhenTheHandlerSetNone() {
        var out: [UInt8] = []
        let framing = HTTPResponseFraming(body: .contentLength(0), date: "Sun, 22 Nov 2026 05:00:00 GMT")
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: 204, headers: ["DATE": "handler's"]), framing: framing, into: &out)
        #expect(text(out) == "HTTP/1.1 204 No Content\r\nDATE: handler's\r\ncontent-length: 0\r\n\r\n")
    }

    @Test(arguments: [0, 7, 10, 99, 100, 65_536, 1_000_000_007, Int.max])
    func contentLengthIsWrittenInDecimal(_ length: Int) {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.writeHead(HTTPResponseHead(status: 200), framing: HTTPResponseFraming(body: .contentLength(length)), into: &out)
        #expect(text(out) == "HTTP/1.1 200 OK\r\ncontent-length: \(length)\r\n\r\n")
    }

    @Test func chunkHelpersWriteHexSizesAndSkipEmptyChunks() {
        var out: [UInt8] = []
        bytes("hello").withUnsafeBytes { HTTP1ResponseSerializer.writeChunk($0, into: &out) }
        [UInt8]().withUnsafeBytes { HTTP1ResponseSerializer.writeChunk($0, into: &out) }
        [UInt8](repeating: 0x61, count: 26).withUnsafeBytes { HTTP1ResponseSerializer.writeChunk($0, into: &out) }
        [UInt8](repeating: 0x62, count: 4096).withUnsafeBytes { HTTP1ResponseSerializer.writeChunk($0, into: &out) }
        HTTP1ResponseSerializer.writeLastChunk(trailers: ["X-Usage": "42", "Bad Name": "x"], into: &out)
        let expected = "5\r\nhello\r\n1a\r\n" + String(repeating: "a", count: 26) + "\r\n1000\r\n"
            + String(repeating: "b", count: 4096) + "\r\n0\r\nX-Usage: 42\r\n\r\n"
        #expect(text(out) == expected)

        // The request parser reads the same framing back.
        let wire = bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") + out
        let outcome = HTTP1ParserDriver.runAllSplits(wire, byteByByte: false)
        #expect(outcome.requests.first?.body == bytes("hello" + String(repeating: "a", count: 26) + String(repeating: "b", count: 4096)))
        #expect(outcome.requests.first?.trailers == ["X-Usage": "42"])
    }

    @Test func lastChunkWithoutTrailersIsZeroCrlfCrlf() {
        var out: [UInt8] = []
        HTTP1ResponseSerializer.writeLastChunk(into: &out)
        #expect(out == bytes("0\r\n\r\n"))
    }
}
