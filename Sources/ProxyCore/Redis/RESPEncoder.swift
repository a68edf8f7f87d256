/// Writes RESP: commands as a client sends them (an array of bulk strings), and any
/// `RESPValue` as a server of either protocol version would send it (for tests, fuzzing
/// and fakes).
///
/// Pure; call from any thread.
package enum RESPEncoder {
    /// Appends a command: `*N`, then each argument as a bulk string.
    package static func appendCommand(_ arguments: [[UInt8]], to output: inout [UInt8]) {
        appendHeader(UInt8(ascii: "*"), arguments.count, to: &output)
        for argument in arguments { appendBulk(argument[...], to: &output) }
    }

    /// Appends `value` as `version` writes it. RESP2 has no map, set, double, boolean, big
    /// number, verbatim or push, and writes them the way Redis does when a RESP2 client asks:
    /// maps as flat key/value arrays, doubles and big numbers as bulk strings, booleans as
    /// 0/1 integers, null as `$-1`.
    ///
    /// A simple string must not contain CR or LF (a bug in the caller: it traps); an error
    /// that does is written as a RESP3 blob error, or with them replaced by spaces in RESP2.
    package static func append(_ value: RESPValue, version: RESPProtocolVersion, to output: inout [UInt8]) {
        switch (value, version) {
        case (.simpleString(let text), _):
            precondition(!text.utf8.contains(13) && !text.utf8.contains(10), "a simple string cannot contain CR or LF")
            appendLine(UInt8(ascii: "+"), text.utf8, to: &output)
        case (.error(let message), .resp3) where message.utf8.contains(13) || message.utf8.contains(10):
            appendBlob(UInt8(ascii: "!"), Array(message.utf8)[...], to: &output)
        case (.error(let message), _):
            appendLine(UInt8(ascii: "-"), message.utf8.map { $0 == 13 || $0 == 10 ? UInt8(ascii: " ") : $0 }, to: &output)
        case (.integer(let value), _):
            output.append(UInt8(ascii: ":"))
            JSONWriter.appendInt(value, to: &output)
            appendCRLF(to: &output)
        case (.bulkString(let bytes), _):
            appendBulk(bytes[...], to: &output)
        case (.null, .resp2):
            output.append(contentsOf: "$-1\r\n".utf8)
        case (.null, .resp3):
            output.append(contentsOf: "_\r\n".utf8)
        case (.array(let values), _), (.set(let values), .resp2), (.push(let values), .resp2):
            appendHeader(UInt8(ascii: "*"), values.count, to: &output)
            for element in values { append(element, version: version, to: &output) }
        case (.set(let values), .resp3):
            appendHeader(UInt8(ascii: "~"), values.count, to: &output)
            for element in values { append(element, version: version, to: &output) }
        case (.push(let values), .resp3):
            appendHeader(UInt8(ascii: ">"), values.count, to: &output)
            for element in values { append(element, version: version, to: &output) }
        case (.map(let entries), _):
            if version == .resp3 {
                appendHeader(UInt8(ascii: "%"), entries.count, to: &output)
            } else {
                appendHeader(UInt8(ascii: "*"), entries.count * 2, to: &output)
            }
            for entry in entries {
                append(entry.key, version: version, to: &output)
                append(entry.value, version: version, to: &output)
            }
        case (.double(let value), .resp3):
            appendLine(UInt8(ascii: ","), doubleText(value).utf8, to: &output)
        case (.double(let value), .resp2):
            appendBulk(Array(doubleText(value).utf8)[...], to: &output)
        case (.boolean(let value), .resp3):
            output.append(contentsOf: (value ? "#t\r\n" : "#f\r\n").utf8)
        case (.boolean(let value), .resp2):
            output.append(contentsOf: (value ? ":1\r\n" : ":0\r\n").utf8)
        case (.bigNumber(let digits), .resp3):
            appendLine(UInt8(ascii: "("), digits.utf8, to: &output)
        case (.bigNumber(let digits), .resp2):
            appendBulk(Array(digits.utf8)[...], to: &output)
        case (.verbatim(let format, let text), .resp3):
            let formatBytes = Array(format.utf8)
            precondition(formatBytes.count == 3, "a verbatim string's format is three bytes")
            appendBlob(UInt8(ascii: "="), (formatBytes + [UInt8(ascii: ":")] + text)[...], to: &output)
        case (.verbatim(_, let text), .resp2):
            appendBulk(text[...], to: &output)
        }
    }

    private static func doubleText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        return value.description
    }

    private static func appendBulk(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        appendBlob(UInt8(ascii: "$"), bytes, to: &output)
    }

    private static func appendBlob(_ type: UInt8, _ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        appendHeader(type, bytes.count, to: &output)
        output.append(contentsOf: bytes)
        appendCRLF(to: &output)
    }

    private static func appendHeader(_ type: UInt8, _ count: Int, to output: inout [UInt8]) {
        output.append(type)
        JSONWriter.appendInt(count, to: &output)
        appendCRLF(to: &output)
    }

    private static func appendLine(_ type: UInt8, _ content: some Sequence<UInt8>, to output: inout [UInt8]) {
        output.append(type)
        output.append(contentsOf: content)
        appendCRLF(to: &output)
    }

    private static func appendCRLF(to output: inout [UInt8]) {
        output.append(13)
        output.append(10)
    }
}
