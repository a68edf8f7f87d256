/// The fields of a response head that the server decides rather than the handler:
/// how the body is delimited (RFC 9112 §6), whether the connection closes after it
/// (RFC 9112 §9.6), and the `Date` (RFC 9110 §6.6.1).
///
/// `HTTP1ResponseSerializer` writes them itself and drops the handler's own copies, so a
/// handler's stale `Content-Length` can never reach the wire next to the real framing, and
/// the server never has to copy the handler's fields to change them.
package struct HTTPResponseFraming: Sendable, Equatable {
    package enum Body: Sendable, Equatable {
        /// `content-length: n`; the handler's Content-Length and Transfer-Encoding are dropped.
        case contentLength(Int)
        /// `transfer-encoding: chunked`; the handler's Content-Length and Transfer-Encoding are dropped.
        case chunked
        /// The body ends when the connection closes (a streamed body to an HTTP/1.0 client);
        /// the handler's Content-Length and Transfer-Encoding are dropped.
        case closeDelimited
        /// No framing field is added and the handler's fields are written as they are
        /// (HEAD, 1xx, 204, 304 without a known length).
        case asGiven
    }

    package var body: Body
    /// Writes `connection: close` in place of the handler's Connection fields.
    package var closesConnection: Bool
    /// The `Date` value to add when the handler's fields carry none; nil adds none.
    package var date: String?

    package init(body: Body, closesConnection: Bool = false, date: String? = nil) {
        self.body = body
        self.closesConnection = closesConnection
        self.date = date
    }

    /// The head written exactly as the handler gave it.
    package static let asGiven = HTTPResponseFraming(body: .asGiven)

    /// Whether the handler's Content-Length and Transfer-Encoding give way to `body`.
    var replacesLengthFields: Bool {
        if case .asGiven = body { return false }
        return true
    }
}
