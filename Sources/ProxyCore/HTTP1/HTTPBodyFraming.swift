/// How the body of a message is delimited (RFC 9112 §6.3).
package enum HTTPBodyFraming: Sendable, Hashable {
    /// No body: neither Content-Length nor Transfer-Encoding was sent.
    case none
    /// Exactly this many bytes follow the head (already checked against `maxBodyBytes`).
    case contentLength(Int)
    /// A chunked body (RFC 9112 §7.1), possibly followed by trailer fields.
    case chunked
}
