/// The head of an HTTP/1.x request: request line, header section and what the parser derived
/// from them (persistence, framing, expectations).
///
/// Produced by `HTTP1RequestParser` once the whole head has arrived and passed every check.
/// A plain value: handlers may keep it and edit `headers` before forwarding.
package struct HTTPRequestHead: Sendable, Hashable {
    package var method: HTTPMethod
    /// The request target exactly as received: origin-form (`/v1/models?x=1`), absolute-form
    /// (`http://host/v1/models`) or `*` for `OPTIONS` (RFC 9112 §3.2).
    package let target: String
    /// The path of the target without the query, dot segments removed (`RequestPath`):
    /// `/v1/models` for `/v1/models?x=1`, for `http://host/v1/models?x=1` and for
    /// `/v1/x/../models`; `/` for `http://host`; `*` for the asterisk-form. Routing and
    /// forwarding both use this, never `target`. A view into `target` unless normalisation
    /// rewrote it.
    package let path: Substring
    package var version: HTTPVersion
    package var headers: HTTPHeaders
    /// Whether the connection stays open after this exchange (RFC 9112 §9.3): HTTP/1.1 unless
    /// `Connection` lists `close`; HTTP/1.0 only when `Connection` lists `keep-alive` (and not `close`).
    package var keepAlive: Bool
    package var framing: HTTPBodyFraming
    /// The client sent `Expect: 100-continue` in an HTTP/1.1 request and waits for a 100 (Continue)
    /// before sending the body (RFC 9110 §10.1.1).
    package var expectsContinue: Bool

    /// A head for `target`, whose path is normalised here; throws 400 `invalid_path` for a path
    /// `RequestPath` refuses. `target` must already have a valid form (the parser checks it).
    package init(
        method: HTTPMethod,
        target: String,
        version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = HTTPHeaders(),
        keepAlive: Bool = true,
        framing: HTTPBodyFraming = .none,
        expectsContinue: Bool = false
    ) throws(HTTP1ParseError) {
        self.method = method
        self.target = target
        let raw = Self.rawPath(of: target)
        if raw.utf8.first == UInt8(ascii: "/") {
            switch RequestPath.normalize(raw) {
            case .success(.unchanged): path = raw
            case .success(.rewritten(let normal)): path = normal[...]
            case .failure(let problem): throw HTTP1ParseError(.invalidPath, problem.description)
            }
        } else {
            path = raw
        }
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.framing = framing
        self.expectsContinue = expectsContinue
    }

    /// The path of `target` as received, without the query. Does not allocate.
    private static func rawPath(of target: String) -> Substring {
        // origin-form, nearly every request: one pass over contiguous bytes.
        let originFormEnd: Int?? = target.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            return bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
        }
        if let end = originFormEnd ?? nil {
            return Substring(target.utf8.prefix(end))
        }
        let utf8 = target.utf8
        var start = utf8.startIndex
        if let first = utf8.first, first != UInt8(ascii: "/"), first != UInt8(ascii: "*") {
            // absolute-form: skip "scheme://authority" (RFC 9112 §3.2.2).
            guard let schemeEnd = utf8.firstIndex(of: UInt8(ascii: ":")) else { return target[...] }
            let authorityStart = utf8.index(schemeEnd, offsetBy: 3, limitedBy: utf8.endIndex) ?? utf8.endIndex
            start = utf8[authorityStart...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") })
                ?? utf8.endIndex
            if start == utf8.endIndex || utf8[start] == UInt8(ascii: "?") { return "/" }
        }
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        return target[start..<end]
    }

    /// The query of the target (after the first `?`, without it), or nil when there is no `?`.
    /// A view into `target`: does not allocate.
    package var query: Substring? {
        let utf8 = target.utf8
        let offset: Int?? = utf8.withContiguousStorageIfAvailable { $0.firstIndex(of: UInt8(ascii: "?")) }
        guard let mark = offset ?? utf8.firstIndex(of: UInt8(ascii: "?")).map({ utf8.distance(from: utf8.startIndex, to: $0) })
        else { return nil }
        return target[utf8.index(utf8.startIndex, offsetBy: mark + 1)...]
    }
}
