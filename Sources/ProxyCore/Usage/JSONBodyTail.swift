/// The last bytes of a JSON answer too large to hold whole, kept as it streams through, so its
/// `usage` can still be read at the end: OpenAI-compatible providers (DeepSeek, Qwen, vLLM)
/// and Anthropic write `usage` as the body's last member. A body whose `usage` is not within
/// the last `capacity` bytes counts as unreported (`sluice_tokens_unreported_total`), never guessed.
///
/// A value owned by one response on its event loop. Bounded: `capacity` bytes, allocated once.
package struct JSONBodyTail: Sendable {
    package let capacity: Int
    private var ring: [UInt8] = []
    private var next = 0
    private var filled = false

    package init(capacity: Int = 8 * 1024) {
        self.capacity = capacity
    }

    package mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if ring.isEmpty { ring = [UInt8](repeating: 0, count: capacity) }
        let source = bytes.count > capacity ? UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - capacity)...]) : bytes
        for byte in source {
            ring[next] = byte
            next += 1
            if next == capacity {
                next = 0
                filled = true
            }
        }
    }

    /// The kept bytes, oldest first.
    package var bytes: [UInt8] {
        filled ? Array(ring[next...] + ring[..<next]) : Array(ring[..<next])
    }

    /// The usage of the last top-level-looking `"usage": {…}` member in the kept bytes.
    package var usage: TokenUsage {
        let tail = bytes
        guard let object = Self.lastUsageObject(in: tail) else { return TokenUsage() }
        var document: [UInt8] = Array(#"{"usage":"#.utf8)
        document += tail[object]
        document.append(UInt8(ascii: "}"))
        return UsageExtractor.usage(fromBody: document)
    }

    /// The range of the object value of the last `"usage"` key: a quote not escaped, then
    /// optional whitespace, a colon, whitespace and a balanced `{…}` (strings skipped).
    static func lastUsageObject(in bytes: [UInt8]) -> Range<Int>? {
        let key = Array(#""usage""#.utf8)
        var start = bytes.count - key.count
        while start >= 0 {
            defer { start -= 1 }
            guard bytes[start] == key[0], Array(bytes[start..<(start + key.count)]) == key else { continue }
            if start > 0, bytes[start - 1] == UInt8(ascii: "\\") { continue }  // inside a string: `\"usage\"`
            var index = start + key.count
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { continue }
            index += 1
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{"), let end = objectEnd(in: bytes, from: index) else { continue }
            return index..<end
        }
        return nil
    }

    /// The index after the `}` that closes the object starting at `open`.
    private static func objectEnd(in bytes: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = open
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
