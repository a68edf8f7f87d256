/// Where the Redis tier keeps an entry.
extension CacheKey {
    /// `<prefix>:cache:<the key's 64 hex digits>`. No hash tag: entries spread over a
    /// cluster's slots like any keys.
    package func redisKey(prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 7 + 64)
        bytes.append(contentsOf: ":cache:".utf8)
        appendHex(to: &bytes)
        return bytes
    }

    /// Where the semantic tier keeps the vectors of the scope this key names:
    /// `<prefix>:semantic:{<64 hex digits>}`. The hash tag puts a scope on one cluster slot.
    package func semanticRedisKey(prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 12 + 64)
        bytes.append(contentsOf: ":semantic:{".utf8)
        appendHex(to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private func appendHex(to bytes: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        for word in [a, b, c, d] {
            for shift in stride(from: 60, through: 0, by: -4) { bytes.append(digits[Int(word >> UInt64(shift) & 0xF)]) }
        }
    }
}
