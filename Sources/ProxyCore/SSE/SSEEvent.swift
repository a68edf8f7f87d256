/// One dispatched server-sent event (WHATWG HTML, "server-sent events", §9.2.6).
///
/// Fields are raw bytes as they appeared on the wire (no UTF-8 validation or
/// replacement), so a proxy can pass them on exactly.
package struct SSEEvent: Hashable, Sendable {
    /// The event type from the `event` field; nil when absent or empty, which means "message".
    package var name: [UInt8]?
    /// The `data` lines joined with `\n` (no trailing newline). May be empty (`data:` alone).
    package var data: [UInt8]
    /// The last event ID: the most recent `id` field seen in the stream so far (it persists
    /// across events, as the spec's "last event ID buffer" does); nil until one is seen.
    package var id: [UInt8]?
    /// The last valid `retry` value (milliseconds) among this event's own lines, if any.
    package var retry: UInt64?

    /// Creates an event, for encoding or for comparing with parsed ones.
    package init(name: [UInt8]? = nil, data: [UInt8], id: [UInt8]? = nil, retry: UInt64? = nil) {
        self.name = name
        self.data = data
        self.id = id
        self.retry = retry
    }

    /// Whether the event's type is `type` ("message" matches an event without a name).
    /// Compares bytes; allocates nothing.
    package func isNamed(_ type: String) -> Bool {
        guard let name else { return type == "message" }
        return name.elementsEqual(type.utf8)
    }
}
