/// What the request's headers ask of the cache: `x-sluice-cache` (`no-cache`, `no-store`,
/// `refresh`, comma-separated), the standard `cache-control` (`no-cache`, `no-store`; other
/// directives ignored), `x-sluice-cache-ttl` and `x-sluice-cache-namespace`.
///
/// | header value | looked up | stored |
/// |---|---|---|
/// | none | yes | yes |
/// | `no-cache` | no | yes |
/// | `no-store` | yes | no |
/// | `refresh` | no (the entry is dropped at once) | yes |
package struct CacheDirective: Hashable, Sendable {
    package var lookup = true
    package var store = true
    /// Drop the entry before going upstream, so a failure leaves no stale answer behind.
    package var refresh = false
    /// How long this answer is kept (at most the route's `ttl`).
    package var ttl: ProxyDuration?
    /// A space of its own within the scope: only requests with the same namespace share entries.
    package var namespace = ""

    /// The longest namespace accepted.
    package static let maxNamespaceBytes = 128

    package init() {}

    /// The directive in `headers`, or a message for a 400 `invalid_cache_header`.
    package static func parse(_ headers: HTTPHeaders) -> Result<CacheDirective, CacheHeaderError> {
        var directive = CacheDirective()
        for value in headers.values("x-sluice-cache") {
            for element in value.split(separator: ",") {
                // List elements may carry optional whitespace (RFC 9110 §5.6.1); a token has none inside.
                let token = element.filter { $0 != " " && $0 != "\t" }.lowercased()
                switch token {
                case "no-cache": directive.lookup = false
                case "no-store": directive.store = false
                case "refresh": directive.lookup = false; directive.refresh = true
                default:
                    return .failure(CacheHeaderError(message: "x-sluice-cache: \"\(token)\" is not one of no-cache, no-store, refresh"))
                }
            }
        }
        if headers.containsToken("cache-control", "no-cache") { directive.lookup = false }
        if headers.containsToken("cache-control", "no-store") { directive.store = false }
        if let text = headers.first("x-sluice-cache-ttl") {
            guard let ttl = ProxyDuration(parsing: text), ttl > .zero else {
                return .failure(CacheHeaderError(message: "x-sluice-cache-ttl: \"\(text)\" is not a positive duration such as \"10m\""))
            }
            directive.ttl = ttl
        }
        if let namespace = headers.first("x-sluice-cache-namespace") {
            guard !namespace.isEmpty, namespace.utf8.count <= maxNamespaceBytes,
                  namespace.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return .failure(CacheHeaderError(message: "x-sluice-cache-namespace must be 1 to \(maxNamespaceBytes) visible ASCII characters"))
            }
            directive.namespace = namespace
        }
        return .success(directive)
    }
}

/// A cache control header the sidecar cannot honour: answered with 400 `invalid_cache_header`.
package struct CacheHeaderError: Error, Hashable, Sendable {
    package let message: String
}
