/// Why the parser rejected a request: the status to answer with, a stable code and a message.
///
/// The connection must be closed after answering: once framing is in doubt, nothing that follows
/// on the connection can be trusted (RFC 9112 §6.3). `message` is for humans and logs; it never
/// echoes more of the request than a short excerpt with control bytes replaced.
package struct HTTP1ParseError: Sendable, Hashable, Error, CustomStringConvertible {
    /// The stable, documented error codes. The raw value is the snake_case code clients see.
    package enum Code: String, Sendable, Hashable, CaseIterable {
        /// Malformed request line, bare CR or LF, or other broken syntax (400).
        case badRequest = "bad_request"
        /// A malformed header or trailer field line (400).
        case invalidHeader = "invalid_header"
        /// A missing, repeated or malformed Host field (400).
        case invalidHost = "invalid_host"
        /// A target path that climbs above the root, or holds `%2F`, `%5C`, a backslash or a broken `%` escape (400).
        case invalidPath = "invalid_path"
        /// A Content-Length that is not a number or does not fit (400).
        case invalidContentLength = "invalid_content_length"
        /// Content-Length values that differ, or Content-Length with Transfer-Encoding (400).
        case conflictingLength = "conflicting_length"
        /// A Transfer-Encoding the message cannot be framed by (400).
        case invalidTransferEncoding = "invalid_transfer_encoding"
        /// A malformed chunk-size line, an overflowing size, or chunk data not followed by CRLF (400).
        case invalidChunk = "invalid_chunk"
        /// The body is larger than `maxBodyBytes` (413).
        case bodyTooLarge = "body_too_large"
        /// The request target is longer than `maxRequestLineBytes` allows (414).
        case uriTooLong = "uri_too_long"
        /// An Expect value other than `100-continue` (417).
        case expectationFailed = "expectation_failed"
        /// The head or a trailer section is too large or has too many fields (431).
        case headerTooLarge = "header_too_large"
        /// A well-formed method this server does not implement (501).
        case methodNotImplemented = "method_not_implemented"
        /// A transfer coding other than chunked (501).
        case unsupportedTransferCoding = "unsupported_transfer_coding"
        /// A well-formed HTTP version other than 1.0 and 1.1 (505).
        case versionNotSupported = "version_not_supported"

        /// The status code each code is answered with.
        package var status: Int {
            switch self {
            case .badRequest, .invalidHeader, .invalidHost, .invalidPath, .invalidContentLength, .conflictingLength,
                 .invalidTransferEncoding, .invalidChunk:
                return 400
            case .bodyTooLarge: return 413
            case .uriTooLong: return 414
            case .expectationFailed: return 417
            case .headerTooLarge: return 431
            case .methodNotImplemented, .unsupportedTransferCoding: return 501
            case .versionNotSupported: return 505
            }
        }
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status to answer with.
    package var status: Int { code.status }

    package var description: String { "\(status) \(code.rawValue): \(message)" }
}
