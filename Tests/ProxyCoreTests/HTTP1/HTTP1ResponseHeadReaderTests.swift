import Testing
@testable import ProxyCore

/// `HTTPResponseHeadReader`: what a provider's head may hold before the proxy passes it on
/// (RFC 9112 §6.3). Named HTTP1… so `swift test --filter HTTP1` runs it.
@Suite struct HTTP1ResponseHeadReaderTests {
    /// Feeds `lines` (each with its line ending) and returns the last result.
    private func read(_ lines: [String], limits: HTTPResponseHeadReader.Limits = .init()) -> Result<HTTPResponseHeadReader.Line, HTTPResponseHeadReader.Invalid> {
        var reader = HTTPResponseHeadReader(limits: limits)
        var last: Result<HTTPResponseHeadReader.Line, HTTPResponseHeadReader.Invalid> = .success(.ignored)
        for line in lines {
            last = Array(line.utf8).withUnsafeBytes { reader.read($0) }
            if case .failure = last { return last }
        }
        return last
    }

    private func message(_ result: Result<HTTPResponseHeadReader.Line, HTTPResponseHeadReader.Invalid>) -> String? {
        if case .failure(let invalid) = result { return invalid.message }
        return nil
    }

    @Test func aWellFormedHeadEndsWithItsStatus() {
        #expect(read(["HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n", "Content-Length: 5\r\n", "\r\n"]) == .success(.end(status: 200)))
        #expect(read(["HTTP/2 429 \r\n", "retry-after: 1\r\n", "\r\n"]) == .success(.end(status: 429)))
    }

    @Test func fieldsAreSplitIntoNameAndTrimmedValue() {
        var reader = HTTPResponseHeadReader()
        _ = Array("HTTP/1.1 200 OK\r\n".utf8).withUnsafeBytes { reader.read($0) }
        let line = Array("X-Name: \t value \r\n".utf8)
        let result = line.withUnsafeBytes { reader.read($0) }
        guard case .success(.field(let name, let value)) = result else { Issue.record("\(result)"); return }
        #expect(String(decoding: line[name], as: UTF8.self) == "X-Name")
        #expect(String(decoding: line[value], as: UTF8.self) == "value")
    }

    @Test(arguments: [(5, 10), (10, 5)])
    func conflictingContentLengthsAreInvalidInEitherOrder(_ first: Int, _ second: Int) {
        let result = read(["HTTP/1.1 200 OK\r\n", "Content-Length: \(first)\r\n", "Content-Length: \(second)\r\n", "\r\n"])
        #expect(message(result) == "the response has conflicting Content-Length values (\(first) and \(second))")
    }

    @Test func identicalContentLengthsAreOneValue() {
        var reader = HTTPResponseHeadReader()
        for line in ["HTTP/1.1 200 OK\r\n", "Content-Length: 5, 5\r\n", "content-length: 5\r\n"] {
            _ = Array(line.utf8).withUnsafeBytes { reader.read($0) }
        }
        #expect(reader.declaredContentLength == 5)
        #expect(Array("\r\n".utf8).withUnsafeBytes { reader.read($0) } == .success(.end(status: 200)))
    }

    @Test(arguments: ["5x", "", "-1", "1 2", "1234567890123456789", "5,,5"])
    func anInvalidContentLengthIsInvalid(_ value: String) {
        #expect(message(read(["HTTP/1.1 200 OK\r\n", "Content-Length: \(value)\r\n", "\r\n"]))?.hasPrefix("the response has an invalid Content-Length") == true)
    }

    @Test func contentLengthWithTransferEncodingIsInvalid() {
        let result = read(["HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n", "Content-Length: 5\r\n", "\r\n"])
        #expect(message(result) == "the response has both Content-Length and Transfer-Encoding")
    }

    @Test func theFieldCountIsLimited() {
        let limits = HTTPResponseHeadReader.Limits(maxFieldCount: 3, maxHeadBytes: 1 << 20)
        #expect(read(["HTTP/1.1 200 OK\r\n"] + Array(repeating: "X: y\r\n", count: 3) + ["\r\n"], limits: limits) == .success(.end(status: 200)))
        #expect(message(read(["HTTP/1.1 200 OK\r\n"] + Array(repeating: "X: y\r\n", count: 4), limits: limits))
                == "the response has more than 3 header fields")
    }

    @Test func theHeadSizeIsLimitedWhateverItsShape() {
        let limits = HTTPResponseHeadReader.Limits(maxFieldCount: 100, maxHeadBytes: 64)
        #expect(message(read(["HTTP/1.1 200 OK\r\n", "X: " + String(repeating: "v", count: 60) + "\r\n"], limits: limits))
                == "the response head is larger than 64 bytes")
        #expect(message(read(["HTTP/1.1 200 " + String(repeating: "R", count: 60) + "\r\n"], limits: limits)) != nil)
        #expect(message(read(["HTTP/1.1 200 OK\r\n"] + Array(repeating: "no colon here\r\n", count: 4), limits: limits)) != nil)
    }

    @Test func eachInterimHeadStartsAfresh() {
        let limits = HTTPResponseHeadReader.Limits(maxFieldCount: 2, maxHeadBytes: 1 << 20)
        let lines = ["HTTP/1.1 103 Early Hints\r\n", "Link: a\r\n", "Link: b\r\n", "\r\n",
                     "HTTP/1.1 200 OK\r\n", "Content-Length: 5\r\n", "X: y\r\n", "\r\n"]
        #expect(read(lines, limits: limits) == .success(.end(status: 200)))
    }

    @Test func aMalformedStatusLineIsInvalid() {
        #expect(message(read(["HTTP/1.1 2x0 OK\r\n"])) != nil)
        #expect(message(read(["HTTP/1.1\r\n"])) != nil)
    }
}
