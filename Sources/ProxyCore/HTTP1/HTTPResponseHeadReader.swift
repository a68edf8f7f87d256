/// Reads a provider's response head one line at a time, as an HTTP client receives it (libcurl
/// hands over each line with its CRLF), and refuses a head a proxy must not pass on: more
/// fields or bytes than the limits, a Content-Length that is not a number, differing
/// Content-Length values, Content-Length with Transfer-Encoding (RFC 9112 §6.3: a proxy MUST
/// answer 502 for such a response, never forward it or wait on it).
///
/// A plain value, one per attempt; each head (interim 1xx ones too) starts afresh at its
/// status line. Pure; the caller turns `Invalid` into a failed attempt.
package struct HTTPResponseHeadReader: Sendable {
    /// Bounds on one response head.
    package struct Limits: Sendable, Equatable {
        /// Most field lines in one head.
        package var maxFieldCount: Int
        /// Most bytes in one head, status line, CRLFs and the empty line included.
        package var maxHeadBytes: Int

        package init(maxFieldCount: Int = 100, maxHeadBytes: Int = 64 * 1024) {
            self.maxFieldCount = maxFieldCount
            self.maxHeadBytes = maxHeadBytes
        }
    }

    /// What one line was.
    package enum Line: Equatable, Sendable {
        /// A status line: a new head begins (`HTTP/1.1 200 OK`, `HTTP/2 429`).
        case status(Int)
        /// A field: name and value (without surrounding whitespace) as ranges into the line.
        case field(name: Range<Int>, value: Range<Int>)
        /// A line that is neither (no colon): counted against the limits, otherwise ignored,
        /// as libcurl does.
        case ignored
        /// The empty line: the head (of `status`) is complete.
        case end(status: Int)
    }

    /// Why the response cannot be passed on; `message` is for the client and the logs.
    package struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        package let message: String
        package var description: String { message }
    }

    package let limits: Limits
    private var status = 0
    private var fieldCount = 0
    private var headBytes = 0
    private var contentLength: Int?
    private var transferEncoding = false

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The Content-Length of the current head, if it has one.
    package var declaredContentLength: Int? { contentLength }

    /// Classifies `line` (with its line ending) and checks it against what came before.
    package mutating func read(_ line: UnsafeRawBufferPointer) -> Result<Line, Invalid> {
        let isStatusLine = line.count >= 5 && line[0] == UInt8(ascii: "H") && line[1] == UInt8(ascii: "T")
            && line[2] == UInt8(ascii: "T") && line[3] == UInt8(ascii: "P") && line[4] == UInt8(ascii: "/")
        if isStatusLine {
            self = HTTPResponseHeadReader(limits: limits)
            guard let code = Self.statusCode(line) else {
                return .failure(Invalid(message: "malformed status line \"\(HTTP1Bytes.excerpt(line, 0..<line.count))\""))
            }
            status = code
        }
        headBytes += line.count
        guard headBytes <= limits.maxHeadBytes else {
            return .failure(Invalid(message: "the response head is larger than \(limits.maxHeadBytes) bytes"))
        }
        if isStatusLine { return .success(.status(status)) }
        var end = line.count
        while end > 0, line[end - 1] == HTTP1Bytes.lf || line[end - 1] == HTTP1Bytes.cr { end -= 1 }
        if end == 0 {
            if contentLength != nil && transferEncoding {
                return .failure(Invalid(message: "the response has both Content-Length and Transfer-Encoding"))
            }
            return .success(.end(status: status))
        }
        guard let colon = line[0..<end].firstIndex(of: HTTP1Bytes.colon) else { return .success(.ignored) }
        fieldCount += 1
        guard fieldCount <= limits.maxFieldCount else {
            return .failure(Invalid(message: "the response has more than \(limits.maxFieldCount) header fields"))
        }
        let value = HTTP1Bytes.trimmingWhitespace(line, (colon + 1)..<end)
        let name = UnsafeRawBufferPointer(rebasing: line[0..<colon])
        switch colon {
        case 14 where HTTP1Bytes.equalsIgnoringCase(name, "content-length"):
            switch ContentLengthField.merge(line, value, into: contentLength) {
            case .success(let length):
                contentLength = length
            case .failure(.conflicting(let first, let second)):
                return .failure(Invalid(message: "the response has conflicting Content-Length values (\(first) and \(second))"))
            case .failure:
                return .failure(Invalid(message: "the response has an invalid Content-Length \"\(HTTP1Bytes.excerpt(line, value))\""))
            }
        case 17 where HTTP1Bytes.equalsIgnoringCase(name, "transfer-encoding"):
            transferEncoding = true
        default:
            break
        }
        return .success(.field(name: 0..<colon, value: value))
    }

    /// The three digits after `HTTP/x[.y] `.
    private static func statusCode(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let space = line.firstIndex(of: HTTP1Bytes.sp), space + 3 < line.count else { return nil }
        var code = 0
        for index in (space + 1)...(space + 3) {
            let digit = line[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            code = code * 10 + Int(digit)
        }
        return code
    }
}
