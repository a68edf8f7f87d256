/// What an `SSEParser` reports: a dispatched event or a comment line.
///
/// Comments are reported because a proxy must pass keep-alive comments (`: ping`) on to
/// its client, even while no event is flowing.
package enum SSEItem: Hashable, Sendable {
    /// A complete event, dispatched by a blank line.
    case event(SSEEvent)
    /// A comment line: the bytes after the leading `:`, unchanged (a leading space is kept).
    /// Reported as soon as its line ends, even in the middle of an event's lines.
    case comment([UInt8])
}
