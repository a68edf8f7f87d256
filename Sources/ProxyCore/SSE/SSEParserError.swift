/// Why an `SSEParser` stopped. Caused by untrusted upstream bytes, so a value, not a trap.
package enum SSEParserError: Error, Hashable, Sendable {
    /// One event's data plus the line being read exceeded `maxEventBytes`: the upstream
    /// sent an event (or a line) larger than the proxy agrees to buffer.
    case eventTooLarge(maxEventBytes: Int)
}
