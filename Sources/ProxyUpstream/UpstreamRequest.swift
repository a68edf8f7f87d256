import ProxyCore

/// Everything one upstream attempt needs, decided by the data plane before it starts.
package struct UpstreamRequest {
    package var method: HTTPMethod
    /// Absolute `http://` or `https://` URL.
    package var url: String
    /// Headers to send as they are (hop-by-hop already removed, credentials already added).
    package var headers: HTTPHeaders
    /// The whole request body (routing needs it buffered anyway); kept alive by the transfer.
    package var body: [UInt8]
    package var timeouts: UpstreamTimeouts
    package var tls: UpstreamTLS
    /// Masks the backend's key wherever the response would carry it back: in every header
    /// value, and in the body of a non-2xx response (an error that echoes the key). 2xx bodies
    /// pass untouched, at no cost.
    package var secretMasker: SecretMasker?

    package init(method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8],
                 timeouts: UpstreamTimeouts = UpstreamTimeouts(), tls: UpstreamTLS = UpstreamTLS(),
                 secretMasker: SecretMasker? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
        self.tls = tls
        self.secretMasker = secretMasker
    }

    /// Whether the URL is `https` (ASCII case ignored): the connection may then turn out to
    /// multiplex (HTTP/2, negotiated by ALPN, so only over TLS; clear-text HTTP stays HTTP/1.1),
    /// and the `https` proxy variables apply to it.
    package var usesTLS: Bool {
        let scheme: StaticString = "https://"
        return url.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.count >= scheme.utf8CodeUnitCount else { return false }
            for i in 0..<scheme.utf8CodeUnitCount where bytes[i] | 0x20 != scheme.utf8Start[i] | 0x20 { return false }
            return true
        } ?? url.lowercased().hasPrefix("https://")
    }
}

/// Per-attempt time limits. Connect and total are libcurl's; first byte and idle are
/// enforced with loop timers, since libcurl has no notion of them.
package struct UpstreamTimeouts: Sendable, Equatable {
    package var connect = ProxyDuration.seconds(5)
    /// From the start of the attempt to the first byte of the response head.
    package var firstByte = ProxyDuration.seconds(60)
    /// Longest silence between two pieces of the response body.
    package var idle = ProxyDuration.seconds(60)
    package var total = ProxyDuration.seconds(600)

    package init() {}
}

/// How an attempt verifies the provider. Verification is on unless a backend's config
/// explicitly says otherwise (and the sidecar logs that loudly at load).
package struct UpstreamTLS: Sendable, Equatable {
    /// A PEM bundle to trust instead of the system's.
    package var caFile: String?
    package var insecureSkipVerify = false

    package init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// Why an attempt failed; says whether anything came back, which the retry logic needs.
package enum UpstreamFailure: Error, Equatable, Sendable {
    case connect(String)
    case tls(String)
    case connectTimeout
    case firstByteTimeout
    case idleTimeout
    case totalTimeout
    /// The connection broke after the transfer began.
    case broken(String)
    /// The provider's response head cannot be passed on (RFC 9112 §6.3: a proxy answers 502):
    /// conflicting or invalid Content-Length, too many or too large header fields.
    case invalidResponse(String)
    /// Cancelled by us (client gone, or a faster attempt won).
    case cancelled

    /// A stable, documented name (`upstream_errors_total{kind}` and error `code`s).
    package var kind: String { UpstreamErrorKind(self).label }

    package var isTimeout: Bool {
        switch self {
        case .connectTimeout, .firstByteTimeout, .idleTimeout, .totalTimeout: true
        default: false
        }
    }

    package var message: String {
        switch self {
        case .connect(let detail): "could not connect to the provider: \(detail)"
        case .tls(let detail): "TLS with the provider failed: \(detail)"
        case .connectTimeout: "connecting to the provider timed out"
        case .firstByteTimeout: "the provider did not start answering in time"
        case .idleTimeout: "the provider stopped sending in the middle of the response"
        case .totalTimeout: "the provider did not finish in time"
        case .broken(let detail): "the connection to the provider broke: \(detail)"
        case .invalidResponse(let detail): "the provider's response was invalid: \(detail)"
        case .cancelled: "the request was cancelled"
        }
    }
}

/// Receives one attempt's response as it arrives.
///
/// Called on the transfer's event loop, possibly from inside libcurl's callbacks: must
/// not block, and must not call libcurl itself (cancel through the transfer, which defers).
package protocol UpstreamTransferDelegate: AnyObject {
    /// The final response head (interim 1xx heads are skipped).
    func upstreamResponseHead(status: Int, headers: HTTPHeaders)
    /// A piece of the body as received (in a non-2xx response, with the backend's key masked):
    /// consume all of it, or none of it and pause. The masker's last held-back bytes may be
    /// offered after the provider finished; refusing them defers `upstreamFinished` until `resume()`.
    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition
    /// The attempt ended: nil on success (the whole body was delivered).
    func upstreamFinished(_ failure: UpstreamFailure?)
}

/// What a delegate did with a piece of the response body.
///
/// libcurl offers a paused piece again, whole, on resume: a delegate that wrote the bytes and
/// then paused would send them twice (ADR 0010).
/// So pausing means not consuming.
package enum UpstreamBodyDisposition: Sendable {
    /// Every byte was used; go on.
    case accepted
    /// No byte was used: pause the transfer until `resume()`, then offer the same bytes again.
    case pauseWithoutConsuming
}
