/// Reads a few top-level fields of a JSON object (a request body's `model`, `stream`,
/// `max_tokens`...) without building a tree: the proxy's "inspect" phase.
///
/// Pure; call from any thread. One pass over the body that also validates the whole
/// document with exactly `JSONParser`'s strictness (UTF-8, escapes, numbers, depth), so a
/// malformed body is always detected. Allocates only the result array.
package enum JSONFieldScanner {
    /// Validates `body`, which must be a JSON object, and returns for each of `keys` (UTF-8
    /// bytes, unescaped) the byte range of its value in `body`, or nil when the object has no
    /// such member. The first member with the key wins. Keys match by their decoded bytes,
    /// so `"mod\u0065l"` matches `model`. A value's range covers the whole value: quotes,
    /// brackets and braces included. Decode one with `decodeString(_:at:)` and its siblings.
    package static func scanTopLevel(
        _ body: UnsafeRawBufferPointer, keys: [[UInt8]], maxDepth: Int = 128
    ) -> Result<[Range<Int>?], JSONParseError> {
        let start = JSONLexer.skipWhitespace(body, from: 0)
        if start < body.count, body[start] != UInt8(ascii: "{") {
            return .failure(JSONSyntaxFailure(offset: start, .topLevelNotObject).error(in: body))
        }
        var collector = JSONTopLevelFieldCollector(buffer: body, keys: keys)
        do {
            try JSONSyntaxWalker.walk(body, maxDepth: maxDepth, visitor: &collector)
        } catch {
            return .failure(error.error(in: body))
        }
        return .success(collector.ranges)
    }

    /// `scanTopLevel` on an array of bytes.
    package static func scanTopLevel(_ body: [UInt8], keys: [[UInt8]], maxDepth: Int = 128) -> Result<[Range<Int>?], JSONParseError> {
        body.withUnsafeBytes { scanTopLevel($0, keys: keys, maxDepth: maxDepth) }
    }
}
