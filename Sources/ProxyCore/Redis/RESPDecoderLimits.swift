/// How much a `RESPDecoder` agrees to buffer for one reply. The bytes come from the network,
/// so each size is capped before anything is allocated for it.
package struct RESPDecoderLimits: Hashable, Sendable {
    /// The longest bulk string, blob error or verbatim string.
    package var maxBulkBytes: Int
    /// The most elements one array, set or push may declare (a map: entries).
    package var maxAggregateCount: Int
    /// The deepest nesting of aggregates.
    package var maxDepth: Int
    /// The longest header or simple line (simple string, error, number), CRLF excluded.
    package var maxLineBytes: Int
    /// The most bytes one top-level reply may span on the wire, nested values included: it
    /// bounds the memory one reply can take whatever its shape.
    package var maxReplyBytes: Int

    package init(maxBulkBytes: Int = 16 << 20, maxAggregateCount: Int = 1 << 20, maxDepth: Int = 32,
                 maxLineBytes: Int = 64 << 10, maxReplyBytes: Int = 64 << 20) {
        precondition(maxBulkBytes >= 0 && maxAggregateCount >= 0 && maxDepth >= 1 && maxLineBytes >= 1 && maxReplyBytes >= 1,
                     "RESP decoder limits must be positive")
        self.maxBulkBytes = maxBulkBytes
        self.maxAggregateCount = maxAggregateCount
        self.maxDepth = maxDepth
        self.maxLineBytes = maxLineBytes
        self.maxReplyBytes = maxReplyBytes
    }
}
