/// The identity of a cached answer: SHA-256 over everything that determines it — the route,
/// the backend and model that would answer, the request path, the scope (a consumer, or the
/// route's shared space), the request's namespace, and the canonical request body without the
/// fields that do not change the answer (`CacheableRequest`). Each part is length-prefixed,
/// so no two different tuples give the same input.
///
/// A plain value; cheap to hash and compare (four words).
package struct CacheKey: Hashable, Sendable {
    package let a: UInt64, b: UInt64, c: UInt64, d: UInt64

    package init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
    }

    /// The key of `canonicalBody` on this route, backend and model, in `scope` and `namespace`.
    /// `sha256` hashes the key's input: the pure `SHA256` here, OpenSSL's on the data plane
    /// (`OpenSSLSHA256`, the same digests in far fewer instructions).
    package init(route: String, backend: String, model: String, path: String, scope: String, namespace: String,
                 canonicalBody: [UInt8], sha256: (UnsafeRawBufferPointer) -> KeyDigest = { SHA256.digest($0) }) {
        var input: [UInt8] = []
        input.reserveCapacity(canonicalBody.count + 64 + route.utf8.count + backend.utf8.count + model.utf8.count
                              + path.utf8.count + scope.utf8.count + namespace.utf8.count)
        for part in [route, backend, model, path, scope, namespace] {
            Self.appendLength(part.utf8.count, to: &input)
            input.append(contentsOf: part.utf8)
        }
        Self.appendLength(canonicalBody.count, to: &input)
        input.append(contentsOf: canonicalBody)
        let words = input.withUnsafeBytes(sha256).words
        self.init(a: words.0, b: words.1, c: words.2, d: words.3)
    }

    private static func appendLength(_ length: Int, to input: inout [UInt8]) {
        let value = UInt64(length)
        for shift in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
