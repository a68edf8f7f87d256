/// Where the Redis tier keeps an entry.
extension CacheKey {
    /// `<prefix>:cache:<the key's 64 hex digits>`. No hash tag: entries spread over a
    /// cluster's slots like any keys.
    package func redisKey(prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 7 + 64)
        bytes.append(contentsOf: ":cache:".utf8)
        let digits = Array("0123456789abcdef".utf8)
        for word in [a, b, c, d] {
            for shift in stride(from: 60, through: 0, by: -4) { bytes.append(digits[Int(word >> UInt64(shift) & 0xF)]) }
        }
        return bytes
    }
}
