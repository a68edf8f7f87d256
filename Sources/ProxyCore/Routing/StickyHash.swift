/// The deterministic hash behind sticky splits: FNV-1a 64 over the UTF-8 bytes, then the
/// MurmurHash3 `fmix64` finalizer so that values differing only in their last bytes
/// (`user-1`, `user-2`) spread over the whole range.
///
/// Never Swift's `Hasher`, which is seeded per process: a user must land on the same split
/// entry across restarts, pods and config reloads. The function is part of the config
/// contract; changing it would reshuffle every sticky user, so it never changes.
package enum StickyHash {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of `value`'s UTF-8 bytes. Does not allocate.
    package static func hash(_ value: String) -> UInt64 {
        var hash = offsetBasis
        for byte in value.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return finalize(hash)
    }

    /// The hash of raw bytes (same result as `hash(_:)` for the same UTF-8).
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return finalize(hash)
    }

    /// MurmurHash3's 64-bit finalizer: a bijection, so no two FNV values collide here.
    package static func finalize(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k = k &* 0xff51_afd7_ed55_8ccd
        k ^= k >> 33
        k = k &* 0xc4ce_b9fe_1a85_ec53
        k ^= k >> 33
        return k
    }
}
