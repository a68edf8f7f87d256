import Testing
@testable import ProxyCore

/// Valid requests: each is parsed whole, one byte at a time and at random split points, and
/// every feeding must produce the same heads, bodies and trailers.
@Suite struct HTTP1RequestParserTests {
    @Test func parserReadsASimpleGet() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "GET /v1/models?limit=2&x=y HTTP/1.1\r\nHost: localhost:4000\r\nAccept: */*\r\nX-Empty:\r\n\r\n"))
        #expect(outcome.error == nil)
        let request = try #require(outcome.requests.first)
        #expect(outcome.requests.count == 1 && request.complete)
        #expect(request.head.method == .get)
        #expect(request.head.target == "/v1/models?limit=2&x=y")
        #expect(request.head.path == "/v1/models")
        #expect(request.head.query == "limit=2&x=y")
        #expect(request.head.version == .http1_1)
        #expect(request.head.keepAlive)
        #expect(request.head.framing == .none)
        #expect(!request.head.expectsContinue)
        #expect(Array(request.head.headers.map(\.name)) == ["Host", "Accept", "X-Empty"])
        #expect(request.head.headers.first("host") == "localhost:4000")
        #expect(request.head.headers.first("x-empty") == "")
        #expect(request.body.isEmpty && request.trailers.isEmpty)
    }

    @Test func parserReadsAPostWithContentLength() throws {
        let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"))
        let request = try #require(outcome.requests.first)
        #expect(outcome.error == nil && request.complete)
        #expect(request.head.method == .post)
        #expect(request.head.framing == .contentLength(body.utf8.count))
        #expect(request.body == bytes(body))
    }

    @Test func parserReadsAChunkedBodyWithExtensionsAndTrailers() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "POST /v1/embeddings HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n"
            + "6 ; q=\"a \\\"b\\\" c\" ;flag\r\n world\r\n"
            + "A\r\n0123456789\r\n"
            + "0;last=yes\r\nX-Checksum: abc\r\nX-Other:  1 \r\n\r\n"))
        let request = try #require(outcome.requests.first)
        #expect(outcome.error == nil && request.complete)
        #expect(request.head.framing == .chunked)
        #expect(request.body == bytes("hello world0123456789"))
        #expect(Array(request.trailers.map(\.name)) == ["X-Checksum", "X-Other"])
        #expect(request.trailers.first("x-other") == "1")
    }

    @Test func parserAnswersPipelinedRequestsInOrder() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
            + "DELETE /d HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            + "GET /e HTTP/1.1\r\nHo"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.target) == ["/a", "/b", "/c", "/d"])
        #expect(outcome.requests.map(\.complete) == [true, true, true, true])
        #expect(outcome.requests.map(\.body) == [[], bytes("abc"), bytes("de"), []])
        #expect(outcome.requests.map(\.head.keepAlive) == [true, true, true, false])
        #expect(outcome.requests.map(\.head.method) == [.get, .post, .post, .delete])
    }

    @Test func parserAppliesConnectionPersistenceRules() {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "GET /1 HTTP/1.0\r\n\r\n"
            + "GET /2 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
            + "GET /3 HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"
            + "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n"
            + "GET /5 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, CLOSE\r\n\r\n"
            + "GET /6 HTTP/1.1\r\nHost: a\r\nConnection: closed\r\nConnection: x\r\n\r\n"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.keepAlive) == [false, true, false, true, false, true])
        #expect(outcome.requests.map(\.head.version) == [.http1_0, .http1_0, .http1_0, .http1_1, .http1_1, .http1_1])
    }

    @Test func parserFlagsExpectContinue() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "POST /v1/messages HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /old HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nz"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.expectsContinue) == [true, false])
        #expect(outcome.requests.map(\.body) == [bytes("abc"), bytes("z")])
    }

    @Test func parserStreamsAOneMegabyteChunkedBody() throws {
        var random = SplitMix64(seed: 7)
        var body: [UInt8] = []
        var wire = bytes("POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        while body.count < 1 << 20 {
            let size = min(Int(random.next() % 9000) + 1, (1 << 20) - body.count)
            let chunk = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            body += chunk
            wire += bytes(String(size, radix: 16, uppercase: size % 2 == 0) + "\r\n") + chunk + bytes("\r\n")
        }
        wire += bytes("0\r\n\r\n")
        let outcome = HTTP1ParserDriver.runAllSplits(wire)
        let request = try #require(outcome.requests.first)
        #expect(outcome.error == nil && request.complete)
        #expect(request.body.count == 1 << 20)
        #expect(request.body == body)
    }

    @Test func parserIgnoresEmptyLinesBeforeTheRequestLine() {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.target) == ["/", "/2"])
    }

    @Test func parserAcceptsAbsoluteAndAsteriskForms() {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "GET http://api.example.com:8080/v1/models?x=1 HTTP/1.1\r\nHost: api.example.com:8080\r\n\r\n"
            + "GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n"
            + "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.path) == ["/v1/models", "/", "*"])
        #expect(outcome.requests.map(\.head.query) == ["x=1", nil, nil])
    }

    @Test func parserTrimsWhitespaceAndKeepsObsText() throws {
        let wire = bytes("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t value with  spaces \t\r\nX-B: caf\u{E9}\r\n") + [0x58, 0x2D, 0x43, 0x3A, 0x20, 0xFF, 0x0D, 0x0A, 0x0D, 0x0A]
        let outcome = HTTP1ParserDriver.runAllSplits(wire)
        let head = try #require(outcome.requests.first?.head)
        #expect(head.headers.first("host") == "a")
        #expect(head.headers.first("x-a") == "value with  spaces")
        #expect(head.headers.first("x-b") == "caf\u{E9}")
        #expect(head.headers.first("x-c") == "\u{FFFD}")
    }

    @Test func parserAcceptsRepeatedIdenticalContentLengths() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(
            "PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 003\r\n\r\nabc"
            + "PATCH /y HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
        #expect(outcome.error == nil)
        #expect(outcome.requests.map(\.head.framing) == [.contentLength(3), .contentLength(0)])
        #expect(outcome.requests.map(\.body) == [bytes("abc"), []])
        #expect(outcome.requests.map(\.complete) == [true, true])
    }

    @Test func parserAcceptsHeadsAndChunkLinesExactlyAtTheirLimits() {
        let limits = HTTP1Limits(maxRequestLineBytes: 20, maxHeaderBytes: 64, maxHeaderCount: 2, maxBodyBytes: 5, maxChunkLineBytes: 8)
        // Request line of exactly 20 bytes, head of exactly 64 bytes with 2 fields.
        let line = "GET /" + String(repeating: "a", count: 6) + " HTTP/1.1"
        #expect(line.utf8.count == 20)
        let filler = String(repeating: "b", count: 64 - 43)
        let head = line + "\r\nHost: a\r\nX-Fill: " + filler + "\r\n\r\n"
        #expect(head.utf8.count == 64)
        let outcome = HTTP1ParserDriver.runAllSplits(bytes(head), limits: limits)
        #expect(outcome.error == nil && outcome.requests.count == 1)

        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        let body = "5;a=bcd\r\nhello\r\n0\r\n\r\n"
        let relaxed = HTTP1Limits(maxRequestLineBytes: 20, maxHeaderBytes: 100, maxHeaderCount: 2, maxBodyBytes: 5, maxChunkLineBytes: 7)
        let chunkedOutcome = HTTP1ParserDriver.runAllSplits(bytes(chunked + body), limits: relaxed)
        #expect(chunkedOutcome.error == nil)
        #expect(chunkedOutcome.requests.first?.body == bytes("hello"))
    }

    @Test func headArrivingByteByByteIsConsumedOnlyWhenComplete() {
        var parser = HTTP1RequestParser()
        let wire = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        for end in 1..<wire.count {
            let step = wire[0..<end].withUnsafeBytes { parser.parse($0) }
            #expect(step == HTTP1ParseStep(consumed: 0, event: .needMoreData))
        }
        let step = wire.withUnsafeBytes { parser.parse($0) }
        #expect(step.consumed == wire.count)
        guard case .head = step.event else { Issue.record("expected a head, got \(step.event)"); return }
        #expect(!parser.isIdle)
        let end = [UInt8]().withUnsafeBytes { parser.parse($0) }
        #expect(end == HTTP1ParseStep(consumed: 0, event: .end(trailers: HTTPHeaders())))
        #expect(parser.isIdle)
    }

    @Test func rescanningAHeadFedByteByByteIsLinear() {
        // A ~30 KB head (under the 32 KB limit), fed one byte at a time: every call sees the
        // whole unconsumed head again, but the parser only looks at the new byte.
        var text = "POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\n"
        for i in 0..<90 { text += "X-Field-\(i): " + String(repeating: "v", count: 320) + "\r\n" }
        text += "\r\n"
        let wire = bytes(text)
        #expect(wire.count > 29_000 && wire.count < 32_768)
        var driver = HTTP1ParserDriver()
        for i in 0..<wire.count { driver.feed(wire[i..<(i + 1)]) }
        #expect(driver.outcome.error == nil)
        #expect(driver.outcome.requests.count == 1)
        #expect(driver.outcome.calls >= wire.count)
        // Linear: each byte examined about once (CRs at the end of a read are looked at again).
        #expect(driver.parser.examinedByteCount <= wire.count + 2 * 92)
    }

    @Test func parserStaysFailedAfterAnError() {
        var parser = HTTP1RequestParser()
        let bad = bytes("GET / HTTP/1.1\nHost: a\r\n\r\n")
        let first = bad.withUnsafeBytes { parser.parse($0) }
        guard case .error(let error) = first.event else { Issue.record("expected an error"); return }
        #expect(error.status == 400)
        let again = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n").withUnsafeBytes { parser.parse($0) }
        #expect(again == HTTP1ParseStep(consumed: 0, event: .error(error)))
    }

    @Test func errorMessagesDoNotEchoRawControlBytes() throws {
        let outcome = HTTP1ParserDriver.runAllSplits(bytes("G\u{1B}T /\u{1B}[31m HTTP/1.1\r\nHost: a\r\n\r\n"))
        let error = try #require(outcome.error)
        #expect(!error.message.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }))
        #expect(error.message.utf8.count < 120)
    }
}
