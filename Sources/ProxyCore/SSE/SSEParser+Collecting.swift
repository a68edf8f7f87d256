extension SSEParser {
    /// Parses the next bytes of the stream and returns the items they complete, in order.
    ///
    /// A convenience for tests and off-path callers; the proxy uses the callback form.
    /// When it throws, the items completed before the error are lost with the result:
    /// use the callback form to keep them.
    package mutating func feed(_ bytes: some Collection<UInt8>) throws(SSEParserError) -> [SSEItem] {
        var items: [SSEItem] = []
        var failure: SSEParserError? = nil
        Array(bytes).withUnsafeBytes { buffer in
            do throws(SSEParserError) {
                try feed(buffer) { items.append($0) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return items
    }
}

extension SSEParser {
    /// The events the next bytes complete, in order, and — when an event outgrew the parser's
    /// limit — that limit (parsing stops there; the events before it are kept). Comments and
    /// other items are dropped: what the stream translators need.
    package mutating func events(in bytes: UnsafeRawBufferPointer) -> (events: [SSEEvent], oversizedLimit: Int?) {
        var events: [SSEEvent] = []
        do {
            try feed(bytes) { if case .event(let event) = $0 { events.append(event) } }
        } catch {
            if case .eventTooLarge(let limit) = error { return (events, limit) }
        }
        return (events, nil)
    }
}
