/// A cached answer as the Redis tier keeps it: a small binary header, then the body as the
/// provider sent it. Compact (no JSON, no base64: 20 to 60 bytes on top of the body), and
/// readable by every sidecar of the gateway, so the times in it are wall-clock times.
///
/// Layout (integers big-endian): `"S"`, version `1`, the form (`0` JSON, `1` event stream),
/// when it was stored and when it expires (milliseconds since the epoch, 8 bytes each), a
/// byte saying which usage counts follow (bit 0 prompt, 1 completion, 2 cached, 3 reasoning),
/// those counts as LEB128 varints, then the body. Anything else is not a record (`decode`
/// gives nil, and the lookup counts a miss).
///
/// A plain value.
package struct CachedAnswerRecord: Sendable {
    package let form: CachedAnswer.Form
    package let body: [UInt8]
    package let usage: TokenUsage
    /// Wall-clock milliseconds since the epoch.
    package let storedAtMilliseconds: UInt64
    package let expiresAtMilliseconds: UInt64

    private static let magic: UInt8 = 0x53
    private static let version: UInt8 = 1
    /// The header's fixed part: magic, version, form, two times, the usage mask.
    private static let fixedBytes = 20

    package init(form: CachedAnswer.Form, body: [UInt8], usage: TokenUsage, storedAtMilliseconds: UInt64,
                 expiresAtMilliseconds: UInt64) {
        self.form = form
        self.body = body
        self.usage = usage
        self.storedAtMilliseconds = storedAtMilliseconds
        self.expiresAtMilliseconds = expiresAtMilliseconds
    }

    /// The record's bytes.
    package func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.fixedBytes + 40 + body.count)
        bytes.append(Self.magic)
        bytes.append(Self.version)
        bytes.append(form == .json ? 0 : 1)
        Self.appendUInt64(storedAtMilliseconds, to: &bytes)
        Self.appendUInt64(expiresAtMilliseconds, to: &bytes)
        let counts = [usage.prompt, usage.completion, usage.cached, usage.reasoning]
        var mask: UInt8 = 0
        for (bit, count) in counts.enumerated() where count != nil { mask |= 1 << UInt8(bit) }
        bytes.append(mask)
        for count in counts { if let count { Self.appendVarint(UInt64(clamping: max(0, count)), to: &bytes) } }
        bytes.append(contentsOf: body)
        return bytes
    }

    /// The record in `bytes`, or nil when they are not one this version wrote.
    package static func decode(_ bytes: [UInt8]) -> CachedAnswerRecord? {
        guard bytes.count >= fixedBytes, bytes[0] == magic, bytes[1] == version, bytes[2] <= 1, bytes[19] & 0xF0 == 0 else { return nil }
        let form: CachedAnswer.Form = bytes[2] == 0 ? .json : .eventStream
        let storedAt = readUInt64(bytes, at: 3)
        let expiresAt = readUInt64(bytes, at: 11)
        var offset = fixedBytes
        var counts: [Int?] = []
        for bit in 0..<4 {
            guard bytes[19] & (1 << UInt8(bit)) != 0 else {
                counts.append(nil)
                continue
            }
            guard let count = readVarint(bytes, at: &offset) else { return nil }
            counts.append(count)
        }
        let usage = TokenUsage(prompt: counts[0], completion: counts[1], cached: counts[2], reasoning: counts[3])
        return CachedAnswerRecord(form: form, body: Array(bytes[offset...]), usage: usage, storedAtMilliseconds: storedAt,
                                  expiresAtMilliseconds: expiresAt)
    }

    private static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<offset + 8 { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A varint of at most 9 bytes (63 bits: it must fit an `Int`), advancing `offset`.
    private static func readVarint(_ bytes: [UInt8], at offset: inout Int) -> Int? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 63, by: 7) {
            guard offset < bytes.count else { return nil }
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value <= UInt64(Int.max) ? Int(value) : nil }
        }
        return nil
    }
}
