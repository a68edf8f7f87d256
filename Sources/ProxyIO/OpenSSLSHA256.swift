import COpenSSL
import ProxyCore

/// SHA-256 by OpenSSL, which uses the CPU's SHA extensions (or AVX2) where it has them: the
/// response cache hashes a whole canonical request body per lookup, where ProxyCore's pure
/// `SHA256` (kept for config load and the authenticate phase, which hash a few dozen bytes)
/// cost about 70 instructions a byte. Same digests (`OpenSSLSHA256Tests`).
///
/// Thread-safe: OpenSSL's digest functions keep no shared mutable state, and the algorithm
/// is fetched once.
package enum OpenSSLSHA256 {
    /// Fetched once: an implicit fetch per call would look the provider up every time.
    // Immutable after its lazy initialisation; an `EVP_MD` may be used from any thread.
    nonisolated(unsafe) private static let algorithm: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// The digest of `bytes`.
    package static func digest(_ bytes: UnsafeRawBufferPointer) -> KeyDigest {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let done = withUnsafeMutableBytes(of: &words) { output in
            EVP_Digest(bytes.baseAddress, bytes.count, output.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, algorithm, nil)
        }
        // Only a broken libcrypto fails here: fall back to the pure implementation.
        guard done == 1 else { return SHA256.digest(bytes) }
        return KeyDigest(words: (UInt64(bigEndian: words.0), UInt64(bigEndian: words.1), UInt64(bigEndian: words.2),
                                 UInt64(bigEndian: words.3)))
    }
}
