import ProxyCore

/// A validated config together with the secrets it references, read at one moment:
/// everything a snapshot needs, so nothing on the request path reads a file.
package struct LoadedConfig: Sendable {
    package let config: ProxyConfig
    /// Backend name → the keys read from its `credentials` files, in order (surrounding whitespace trimmed).
    package let credentials: [String: [String]]
    /// Backend name → absolute path of its CA bundle.
    package let caFiles: [String: String]
    /// By consumer index: the SHA-256 digests of the keys in its `keysDirectory` (never the keys).
    package let consumerKeys: [[KeyDigest]]
    /// `redis.passwordFile`'s content (surrounding whitespace trimmed), nil without one.
    package var redisPassword: String? = nil
    /// Absolute path of `redis.tls.caFile`.
    package var redisCAFile: String? = nil
    /// By guard index: the key read from its moderation rule's `credentials.file` (surrounding
    /// whitespace trimmed); absent for a guard whose service takes no key.
    package var moderationKeys: [Int: String] = [:]
    /// FNV-1a 64 of the config bytes and every referenced secret: unchanged content, unchanged hash,
    /// so a kubelet `..data` swap with the same content is recognised and skipped.
    package let contentHash: UInt64
    /// The config file as loaded (it holds no secret values: those are file references).
    package let source: [UInt8]

    package var hashHex: String {
        let hex = String(contentHash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// Why a config could not be loaded: one line per problem, each naming where it is.
package struct ConfigLoadError: Error, CustomStringConvertible, Sendable {
    package let problems: [String]
    package var description: String { problems.joined(separator: "\n") }
}
