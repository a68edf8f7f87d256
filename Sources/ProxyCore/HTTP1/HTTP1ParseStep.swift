/// The result of one call to `HTTP1RequestParser.parse`: how many bytes to drop from the front
/// of the buffer, and what was found.
package struct HTTP1ParseStep: Sendable, Hashable {
    /// Bytes the caller must drop from the front of its buffer before the next call. May be
    /// non-zero with `.needMoreData` (chunk framing already read).
    package var consumed: Int
    package var event: HTTP1ParseEvent

    package init(consumed: Int, event: HTTP1ParseEvent) {
        self.consumed = consumed
        self.event = event
    }
}
