import Testing
@testable import ProxyCore

/// `SecretMasker`: every occurrence of the key masked, however the bytes are split, with the
/// length kept; nothing else touched.
@Suite struct SecretMaskerTests {
    private static let key = "sk-proj-a1b2c3d4e5f6"
    private static let mask = String(repeating: "*", count: key.utf8.count)

    /// Masks `text` fed in pieces cut at `cuts` (ascending offsets).
    private func masked(_ text: [UInt8], secret: String = key, cuts: [Int]) -> [UInt8] {
        var masker = SecretMasker(secret: secret)!
        var out: [UInt8] = []
        var start = 0
        for end in cuts + [text.count] {
            text[start..<end].withUnsafeBytes { masker.feed($0) { out.append(contentsOf: $0) } }
            start = end
        }
        masker.finish { out.append(contentsOf: $0) }
        return out
    }

    /// Leftmost, non-overlapping replacement, the plain way.
    private func naive(_ text: [UInt8], secret: [UInt8], mask: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < text.count {
            if i + secret.count <= text.count, text[i..<(i + secret.count)].elementsEqual(secret) {
                out += mask
                i += secret.count
            } else {
                out.append(text[i])
                i += 1
            }
        }
        return out
    }

    @Test func theKeyIsMaskedWithItsLengthKept() {
        let text = Array("{\"error\":{\"message\":\"Incorrect API key provided: \(Self.key)\"}}".utf8)
        let out = masked(text, cuts: [])
        #expect(String(decoding: out, as: UTF8.self) == "{\"error\":{\"message\":\"Incorrect API key provided: \(Self.mask)\"}}")
        #expect(out.count == text.count)
    }

    @Test func aKeySplitAtEveryPointIsStillMasked() {
        let text = Array("a \(Self.key) b \(Self.key)\(Self.key) c sk-proj-a1b2 d".utf8)
        let expected = naive(text, secret: Array(Self.key.utf8), mask: Array(Self.mask.utf8))
        for cut in 0...text.count {
            #expect(masked(text, cuts: [cut]) == expected, "cut at \(cut)")
        }
        #expect(masked(text, cuts: Array(1..<text.count)) == expected, "byte by byte")
    }

    @Test func selfOverlappingKeysAgreeWithThePlainReplacementOnRandomText() {
        var random = SplitMix64(seed: 14)
        for secret in ["aaaaaaab", "abababac", "aabaabaaab", "abcabcabcabcabcX"] {
            let mask = masked(Array(secret.utf8), secret: secret, cuts: [])
            for _ in 0..<300 {
                let text = (0..<Int(random.next() % 60)).map { _ in Array("abcX".utf8)[Int(random.next() % 4)] }
                let cuts = (0..<3).map { _ in Int(random.next() % UInt64(text.count + 1)) }.sorted()
                #expect(masked(text, secret: secret, cuts: cuts) == naive(text, secret: Array(secret.utf8), mask: mask),
                        "\(secret) in \(String(decoding: text, as: UTF8.self)) cut at \(cuts)")
            }
        }
    }

    @Test func aPrefixOfTheKeyAtTheEndIsHeldThenReleased() {
        var masker = SecretMasker(secret: Self.key)!
        var out: [UInt8] = []
        Array("x sk-proj-a1".utf8).withUnsafeBytes { masker.feed($0) { out.append(contentsOf: $0) } }
        #expect(String(decoding: out, as: UTF8.self) == "x ")
        #expect(masker.isHolding)
        masker.finish { out.append(contentsOf: $0) }
        #expect(String(decoding: out, as: UTF8.self) == "x sk-proj-a1")
        #expect(!masker.isHolding)
    }

    @Test func headerValuesAreMaskedWholeAndLeftAloneWithoutTheKey() {
        let masker = SecretMasker(secret: Self.key)!
        #expect(masker.masking("Bearer \(Self.key)") == "Bearer \(Self.mask)")
        #expect(masker.masking("application/json") == "application/json")
        #expect(masker.masking("Bearer sk-proj-a1b2c3d4e5f7") == "Bearer sk-proj-a1b2c3d4e5f7")
        #expect(masker.maskedCount == 0, "masking a value leaves the stream state alone")
    }

    @Test func keysShorterThanEightBytesAreNotMasked() {
        #expect(SecretMasker(secret: "short") == nil)
        let masker = SecretMasker(secret: "abcdefgh12")!
        #expect(masker.masking("key abcdefgh12.") == "key **********.")
        #expect(masker.masking("abcdefgh12abcdefgh12abcdefgh1") == "********************abcdefgh1")
    }
}
