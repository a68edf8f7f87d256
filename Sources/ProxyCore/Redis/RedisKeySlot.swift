/// The Redis Cluster hash slot of a key: CRC16 (XMODEM: polynomial 0x1021, initial value 0,
/// no reflection) of the key modulo 16384, where a key holding `{tag}` with a non-empty tag
/// hashes only the tag, so keys that share a tag share a slot
/// (https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags).
///
/// Pure; call from any thread.
package enum RedisKeySlot {
    /// The number of slots in a Redis Cluster.
    package static let count = 16384

    /// The slot of `key`.
    package static func slot(of key: some Collection<UInt8>) -> UInt16 {
        let hashed = hashedPart(of: key)
        return crc16(hashed) & UInt16(count - 1)
    }

    /// The part of `key` that is hashed: the bytes between the first `{` and the first `}`
    /// after it when there are any, else the whole key.
    package static func hashedPart<Key: Collection<UInt8>>(of key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else { return key[...] }
        return key[afterOpen..<close]
    }

    /// CRC16/XMODEM of `bytes`.
    package static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 8) ^ UInt16(byte))]
        }
        return crc
    }

    private static let table: [UInt16] = (0..<256).map { index in
        var crc = UInt16(index) << 8
        for _ in 0..<8 {
            crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
        }
        return crc
    }
}
