/// An incremental parser of `text/event-stream` bytes, following the WHATWG HTML
/// "server-sent events" parsing rules (§9.2.6 "Interpreting an event stream").
///
/// Feed it bytes as they arrive: chunk boundaries are TCP receive boundaries and may fall
/// anywhere, inside a field name, between a CR and its LF, or inside the BOM. The events
/// reported are the same however the stream is split.
///
/// - Line endings are CRLF, LF or CR; a CR at the end of one chunk followed by an LF at the
///   start of the next is one line ending.
/// - `field: value` with one optional space after the colon removed; a line without colon
///   is a field with an empty value; fields other than `event`, `data`, `id`, `retry` are
///   ignored; `data` lines are joined with `\n`; a blank line dispatches the event. An
///   event with no `data` line is not dispatched (spec), but the event type still resets.
/// - `id` values containing NUL are ignored; `retry` values that are not all ASCII digits
///   (or do not fit in `UInt64`) are ignored.
/// - Comment lines (starting with `:`) are reported as `SSEItem.comment`.
/// - One leading UTF-8 BOM is skipped. Bytes are not decoded: invalid UTF-8 passes through
///   (a browser would substitute U+FFFD; a proxy must not rewrite the stream).
///
/// Memory is bounded by `maxEventBytes`: an event's data plus the line being read may not
/// exceed it, else `feed` throws `SSEParserError.eventTooLarge` and the parser stays failed.
///
/// A value type owned by one stream on its event loop; not shared between threads.
package struct SSEParser: Sendable {
    /// The most bytes of one event's data plus the current line the parser will buffer.
    package let maxEventBytes: Int
    /// The reconnection time from the most recent valid `retry` field, in milliseconds.
    package private(set) var reconnectionTime: UInt64?

    // The start of a line that continues in a later chunk.
    private var partialLine: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: [UInt8] = []
    private var lastEventID: [UInt8]? = nil
    private var retry: UInt64? = nil
    // A field line was seen since the last blank line: the stream is inside an event.
    private var insideEvent = false
    // The previous chunk ended with CR, so an LF starting this one ends no new line.
    private var skipLineFeed = false
    // Bytes of the BOM matched at the very start of the stream; `bomDone` once decided.
    private var bomMatched = 0
    private var failure: SSEParserError? = nil

    private static let bomDone = 3
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Describes how a stream ended, for `finish()`.
    package enum StreamEnd: Hashable, Sendable {
        /// The stream ended at an event boundary (after a blank line, or with comments only).
        case complete
        /// The stream ended inside an event or a line: it was truncated (or the parser had failed).
        case truncated
    }

    /// Creates a parser; `maxEventBytes` defaults to 1 MiB.
    package init(maxEventBytes: Int = 1 << 20) {
        precondition(maxEventBytes > 0, "maxEventBytes must be positive")
        self.maxEventBytes = maxEventBytes
    }

    /// Parses the next bytes of the stream, calling `onItem` for every event dispatched and
    /// every comment line completed in them, in stream order.
    ///
    /// `onItem` runs synchronously, before `feed` returns. Throws when the size limit is
    /// exceeded; items before the offending line have already been reported. After a throw,
    /// every later call throws the same error.
    package mutating func feed(_ bytes: UnsafeRawBufferPointer, _ onItem: (SSEItem) -> Void) throws(SSEParserError) {
        if let failure { throw failure }
        var start = 0
        if bomMatched < Self.bomDone {
            while start < bytes.count, bomMatched < Self.bomDone {
                if bytes[start] == Self.bom[bomMatched] {
                    bomMatched += 1
                    start += 1
                } else {
                    // Not a BOM after all: the bytes matched so far are content.
                    let matched = bomMatched
                    bomMatched = Self.bomDone
                    _ = Self.bom.withUnsafeBytes { bom in
                        parse(UnsafeRawBufferPointer(rebasing: bom[..<matched]), onItem)
                    }
                }
            }
        }
        if failure == nil {
            parse(UnsafeRawBufferPointer(rebasing: bytes[start...]), onItem)
        }
        if let failure { throw failure }
    }

    /// Ends the stream: reports whether it stopped inside an event or a line (a truncated
    /// stream, which the proxy reports as an upstream error), and resets the parser for a
    /// new stream. A pending event is discarded, as the spec requires at end of file.
    package mutating func finish() -> StreamEnd {
        let pendingBOMPrefix = bomMatched > 0 && bomMatched < Self.bomDone
        let truncated = failure != nil || insideEvent || !partialLine.isEmpty || pendingBOMPrefix
        self = SSEParser(maxEventBytes: maxEventBytes)
        return truncated ? .truncated : .complete
    }

    // The internal steps record a failure in `failure` and return false instead of throwing,
    // because `Array.withUnsafeBytes` cannot carry a typed error.
    @discardableResult
    private mutating func parse(_ bytes: UnsafeRawBufferPointer, _ onItem: (SSEItem) -> Void) -> Bool {
        var index = 0
        if skipLineFeed, index < bytes.count {
            skipLineFeed = false
            if bytes[0] == Self.lineFeed { index = 1 }
        }
        var lineStart = index
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == Self.lineFeed || byte == Self.carriageReturn else {
                index &+= 1
                continue
            }
            let tail = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<index])
            if partialLine.isEmpty {
                guard completeLine(tail, onItem) else { return false }
            } else {
                // Take the buffer out of `self` so it can be read while `self` is mutated.
                var line: [UInt8] = []
                swap(&line, &partialLine)
                line.append(contentsOf: tail)
                let completed = line.withUnsafeBytes { line in completeLine(line, onItem) }
                line.removeAll(keepingCapacity: line.capacity <= 4096)
                swap(&line, &partialLine)
                guard completed else { return false }
            }
            if byte == Self.carriageReturn {
                if index &+ 1 < bytes.count {
                    if bytes[index &+ 1] == Self.lineFeed { index &+= 1 }
                } else {
                    skipLineFeed = true
                }
            }
            index &+= 1
            lineStart = index
        }
        if lineStart < bytes.count {
            // Checked here too, not only when the line ends, so that a line that never ends
            // cannot grow without bound; the test is monotonic in the line's length, so it
            // fails on the same line however the stream is split.
            guard checkSize(lineLength: partialLine.count + (bytes.count - lineStart)) else { return false }
            partialLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
        }
        return true
    }

    /// False (and failed) when the event's data plus a line of `lineLength` bytes exceeds the limit.
    private mutating func checkSize(lineLength: Int) -> Bool {
        if lineLength > maxEventBytes || data.count > maxEventBytes - lineLength {
            failure = .eventTooLarge(maxEventBytes: maxEventBytes)
            return false
        }
        return true
    }

    /// Interprets one complete line (without its line ending).
    private mutating func completeLine(_ line: UnsafeRawBufferPointer, _ onItem: (SSEItem) -> Void) -> Bool {
        guard let first = line.first else {
            dispatch(onItem)
            return true
        }
        guard checkSize(lineLength: line.count) else { return false }
        if first == UInt8(ascii: ":") {
            onItem(.comment(Array(line[1...])))
            return true
        }
        insideEvent = true
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.count
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        var valueStart = Swift.min(colon &+ 1, line.count)
        if valueStart < line.count, line[valueStart] == UInt8(ascii: " ") { valueStart &+= 1 }
        let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])

        if name.elementsEqual("data".utf8) {
            if hasData { data.append(Self.lineFeed) }
            data.append(contentsOf: value)
            hasData = true
        } else if name.elementsEqual("event".utf8) {
            eventType.removeAll(keepingCapacity: true)
            eventType.append(contentsOf: value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(0) { lastEventID = Array(value) }
        } else if name.elementsEqual("retry".utf8) {
            if let milliseconds = Self.parseRetry(value) {
                retry = milliseconds
                reconnectionTime = milliseconds
            }
        }
        return true
    }

    /// A blank line: dispatch the event if it has data, and reset the per-event buffers.
    private mutating func dispatch(_ onItem: (SSEItem) -> Void) {
        if hasData {
            var event = SSEEvent(name: eventType.isEmpty ? nil : eventType, data: [], id: lastEventID, retry: retry)
            // Hand the data buffer to the event instead of copying it.
            swap(&event.data, &data)
            hasData = false
            onItem(.event(event))
        }
        eventType.removeAll(keepingCapacity: true)
        retry = nil
        insideEvent = false
    }

    /// ASCII digits only, fitting in `UInt64`; anything else is ignored (nil).
    private static func parseRetry(_ value: UnsafeRawBufferPointer) -> UInt64? {
        guard !value.isEmpty else { return nil }
        var result: UInt64 = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            result = sum
        }
        return result
    }
}
