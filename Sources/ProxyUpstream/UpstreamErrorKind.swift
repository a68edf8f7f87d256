/// The `kind` label of `sluice_upstream_errors_total` (`docs/metrics.md`, "Upstream errors"):
/// a transfer's `UpstreamFailure`, or what the data plane saw in an answer that arrived.
package enum UpstreamErrorKind: UInt8, CaseIterable, Sendable {
    case connect, tls, connectTimeout, firstByteTimeout, firstTokenTimeout, idleTimeout, totalTimeout, broken, invalidResponse
    case cancelled
    case truncated, rateLimited, serverError

    package init(_ failure: UpstreamFailure) {
        switch failure {
        case .connect: self = .connect
        case .tls: self = .tls
        case .connectTimeout: self = .connectTimeout
        case .firstByteTimeout: self = .firstByteTimeout
        case .idleTimeout: self = .idleTimeout
        case .totalTimeout: self = .totalTimeout
        case .broken: self = .broken
        case .invalidResponse: self = .invalidResponse
        case .cancelled: self = .cancelled
        }
    }

    /// The stable, documented name (also in error `code`s as `upstream_<label>`).
    package var label: String {
        switch self {
        case .connect: "connect"
        case .tls: "tls"
        case .connectTimeout: "connect_timeout"
        case .firstByteTimeout: "first_byte_timeout"
        case .firstTokenTimeout: "first_token_timeout"
        case .idleTimeout: "idle_timeout"
        case .totalTimeout: "total_timeout"
        case .broken: "broken"
        case .invalidResponse: "invalid_response"
        case .cancelled: "cancelled"
        case .truncated: "truncated"
        case .rateLimited: "rate_limited"
        case .serverError: "server_error"
        }
    }
}
