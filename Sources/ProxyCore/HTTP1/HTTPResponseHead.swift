/// The head of a response Sluice sends: status, optional reason phrase, header fields.
///
/// Framing fields (Content-Length or Transfer-Encoding) are the caller's to set; the serializer
/// writes exactly what is here.
package struct HTTPResponseHead: Sendable, Hashable {
    /// The status code, 100...999 (RFC 9110 §15).
    package var status: Int
    package var headers: HTTPHeaders
    /// The reason phrase to send; nil sends the standard phrase for `status` (empty if unknown).
    package var reason: String?

    package init(status: Int, headers: HTTPHeaders = HTTPHeaders(), reason: String? = nil) {
        self.status = status
        self.headers = headers
        self.reason = reason
    }
}
