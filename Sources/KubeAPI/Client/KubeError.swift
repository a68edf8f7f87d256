import ProxyCore

/// A failed API call: the HTTP status and the API's `Status` (reason, message), or a
/// transport failure (status 0).
///
/// `kind` is what callers branch on: `.conflict` after an update with a stale
/// resourceVersion (re-read and retry), `.gone` when a resourceVersion is too old (relist),
/// `.notFound`, `.alreadyExists`, `.forbidden` (RBAC), and so on.
package struct KubeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, derived from the status code and `Status.reason`.
    package enum Kind: Hashable, Sendable {
        case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, alreadyExists, conflict, gone
        case invalid, unsupportedMediaType, tooManyRequests, serverError, otherStatus
        /// No HTTP answer: connection refused or lost, TLS failure, timeout.
        case transport
        /// An answer that is not the JSON we expect.
        case decoding
        /// The caller's task was cancelled.
        case cancelled
    }

    package var kind: Kind
    /// The HTTP status, or 0 when there was no HTTP answer.
    package var status: Int
    /// `Status.reason` (`NotFound`, `Conflict`, `AlreadyExists`, `Expired`, …) when the API sent one.
    package var reason: String?
    /// `Status.message`, or a description of the transport failure.
    package var message: String

    package init(kind: Kind, status: Int, reason: String? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.reason = reason
        self.message = message
    }

    /// The error for a non-2xx answer, reading its body as a `Status` when it is one.
    package init(status: Int, body: [UInt8]) {
        let statusObject = try? JSONParser.parse(body)
        let reason = statusObject?.member("reason")?.stringValue
        let message = statusObject?.member("message")?.stringValue
            ?? String(decoding: body.prefix(512), as: UTF8.self)
        self.init(kind: Self.kind(status: status, reason: reason), status: status, reason: reason, message: message)
    }

    /// The error an `ERROR` watch event carries (its object is a `Status`).
    package init(statusObject: JSONValue) {
        var code = 500
        if case .number(let number)? = statusObject.member("code"), let value = number.int { code = value }
        let reason = statusObject.member("reason")?.stringValue
        self.init(kind: Self.kind(status: code, reason: reason), status: code, reason: reason,
                  message: statusObject.member("message")?.stringValue ?? "watch error \(code)")
    }

    private static func kind(status: Int, reason: String?) -> Kind {
        switch status {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: .gone
        case 415: .unsupportedMediaType
        case 422: .invalid
        case 429: .tooManyRequests
        case 500...599: .serverError
        default: .otherStatus
        }
    }

    /// Worth retrying later: throttling (429), server trouble (5xx), no connection, or a write
    /// that lost a race (409) and succeeds once the object is read again. Everything else
    /// (400, 401, 403, 404, 422…) fails the same way until something changes.
    package var isTransient: Bool {
        switch kind {
        case .transport, .tooManyRequests, .serverError, .conflict, .alreadyExists: true
        default: false
        }
    }

    package var description: String {
        if status == 0 { return "\(kind): \(message)" }
        return "HTTP \(status)\(reason.map { " \($0)" } ?? ""): \(message)"
    }
}
