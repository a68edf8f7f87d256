/// The SHA-256 of a consumer key: what the sidecar keeps in memory instead of the key.
/// Compared in constant time (`matches`), so how long a comparison takes says nothing about
/// how many leading bytes of a guess were right.
package struct KeyDigest: Sendable {
    /// The digest as four big-endian 64-bit words.
    package let words: (UInt64, UInt64, UInt64, UInt64)

    package init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Whether both digests are equal; always looks at all 32 bytes.
    package func matches(_ other: KeyDigest) -> Bool {
        ((words.0 ^ other.words.0) | (words.1 ^ other.words.1) | (words.2 ^ other.words.2) | (words.3 ^ other.words.3)) == 0
    }

    /// The digest as 64 lowercase hex digits.
    package var hex: String {
        var out = ""
        for word in [words.0, words.1, words.2, words.3] {
            let text = String(word, radix: 16)
            out += String(repeating: "0", count: 16 - text.count) + text
        }
        return out
    }
}
