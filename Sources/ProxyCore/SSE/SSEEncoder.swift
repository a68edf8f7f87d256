/// Writes server-sent events in the `text/event-stream` format that `SSEParser` reads.
///
/// Output uses LF line endings and one space after each field's colon (`data: {...}`),
/// the form OpenAI and Anthropic send. Pure functions appending to a caller-owned buffer.
package enum SSEEncoder {
    /// Appends one event: `event:` (when `name` is non-nil and non-empty), `id:`, `retry:`,
    /// one `data:` line per line of `data`, then the blank line that dispatches it.
    ///
    /// Data is split at CRLF, LF and CR, so the parser gives back `data` with every line
    /// ending turned into LF. Empty data is sent as one empty `data:` line (a dispatched
    /// event with empty data). `name` must not contain CR or LF, nor `id` CR, LF or NUL:
    /// they come from our code or from parsed events, which cannot hold them.
    package static func appendEvent(
        name: String?, data: some Collection<UInt8>, id: String? = nil, retry: UInt64? = nil,
        to buffer: inout [UInt8]
    ) {
        appendEvent(nameBytes: name?.utf8, data: data, idBytes: id?.utf8, retry: retry, to: &buffer)
    }

    /// Appends a parsed event, so that parsing the output gives back the same event.
    package static func appendEvent(_ event: SSEEvent, to buffer: inout [UInt8]) {
        appendEvent(nameBytes: event.name, data: event.data, idBytes: event.id, retry: event.retry, to: &buffer)
    }

    /// Appends a comment line (`:` followed by `text`), such as a keep-alive `: ping`
    /// (pass `" ping"`: the bytes after the colon are kept as given, like the parser reports
    /// them). A text with line endings becomes several comment lines.
    package static func appendComment(_ text: some Collection<UInt8>, to buffer: inout [UInt8]) {
        forEachLine(of: text) { line in
            buffer.append(UInt8(ascii: ":"))
            buffer.append(contentsOf: line)
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    /// Appends a comment line from a string (see the byte form).
    package static func appendComment(_ text: String, to buffer: inout [UInt8]) {
        appendComment(text.utf8, to: &buffer)
    }

    private static func appendEvent<Name: Collection<UInt8>, ID: Collection<UInt8>>(
        nameBytes name: Name?, data: some Collection<UInt8>, idBytes id: ID?, retry: UInt64?,
        to buffer: inout [UInt8]
    ) {
        if let name, !name.isEmpty {
            precondition(!name.contains { $0 == 0x0A || $0 == 0x0D }, "SSE event name with a line ending")
            buffer.append(contentsOf: "event: ".utf8)
            buffer.append(contentsOf: name)
            buffer.append(UInt8(ascii: "\n"))
        }
        if let id {
            precondition(!id.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }, "SSE id with a line ending or NUL")
            buffer.append(contentsOf: "id: ".utf8)
            buffer.append(contentsOf: id)
            buffer.append(UInt8(ascii: "\n"))
        }
        if let retry {
            buffer.append(contentsOf: "retry: ".utf8)
            buffer.append(contentsOf: String(retry).utf8)
            buffer.append(UInt8(ascii: "\n"))
        }
        forEachLine(of: data) { line in
            buffer.append(contentsOf: "data: ".utf8)
            buffer.append(contentsOf: line)
            buffer.append(UInt8(ascii: "\n"))
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Calls `body` with each line of `text` split at CRLF, LF or CR; n line endings make
    /// n + 1 lines, so an empty text is one empty line.
    private static func forEachLine<Text: Collection<UInt8>>(of text: Text, _ body: (Text.SubSequence) -> Void) {
        var lineStart = text.startIndex
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            if byte == 0x0A || byte == 0x0D {
                body(text[lineStart..<index])
                text.formIndex(after: &index)
                if byte == 0x0D, index != text.endIndex, text[index] == 0x0A { text.formIndex(after: &index) }
                lineStart = index
            } else {
                text.formIndex(after: &index)
            }
        }
        body(text[lineStart..<text.endIndex])
    }
}
