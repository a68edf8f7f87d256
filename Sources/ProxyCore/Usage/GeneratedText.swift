/// Measures the generated text in one streamed event's JSON payload, to estimate output
/// tokens while a stream flows (`TokenEstimate.tokens(textBytes:)`), before the provider's
/// usage settles them: the bytes of every string value of a member named `content`, `text`,
/// `reasoning_content`, `thinking`, `partial_json` or `arguments`, at any depth — OpenAI
/// deltas and tool-call arguments, legacy completions, Anthropic text, thinking and tool
/// input deltas. Escapes count as written (slightly high). One pass, no allocation; payloads
/// that are not JSON objects count nothing.
package enum GeneratedText {
    /// The bytes of generated text in `payload`.
    package static func bytes(in payload: UnsafeRawBufferPointer) -> Int {
        var total = 0
        var index = 0
        let count = payload.count
        var afterWantedKey = false
        while index < count {
            let byte = payload[index]
            guard byte == UInt8(ascii: "\"") else {
                // A colon keeps a wanted key's claim on the value that follows; anything else drops it.
                if byte != UInt8(ascii: ":"), !JSONLexer.isWhitespace(byte) { afterWantedKey = false }
                index &+= 1
                continue
            }
            let start = index &+ 1
            var end = start
            while end < count, payload[end] != UInt8(ascii: "\"") {
                end &+= payload[end] == JSONLexer.backslash ? 2 : 1
            }
            end = min(end, count)
            var next = end &+ 1
            while next < count, JSONLexer.isWhitespace(payload[next]) { next &+= 1 }
            if next < count, payload[next] == UInt8(ascii: ":") {
                afterWantedKey = isWanted(UnsafeRawBufferPointer(rebasing: payload[start..<end]))
            } else {
                if afterWantedKey { total &+= end &- start }
                afterWantedKey = false
            }
            index = next
        }
        return total
    }

    private static let keys: [[UInt8]] = ["content", "text", "reasoning_content", "thinking", "partial_json", "arguments"]
        .map { Array($0.utf8) }

    private static func isWanted(_ key: UnsafeRawBufferPointer) -> Bool {
        for candidate in keys where candidate.count == key.count {
            if candidate.elementsEqual(key) { return true }
        }
        return false
    }
}
