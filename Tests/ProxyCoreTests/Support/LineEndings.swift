/// `stream` with every LF replaced by `ending` (CRLF, CR): the SSE and usage tests run each
/// fixture stream under every line ending the spec allows.
func withLineEnding(_ stream: [UInt8], _ ending: String) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(stream.count * ending.utf8.count)
    for byte in stream {
        if byte == UInt8(ascii: "\n") { result.append(contentsOf: ending.utf8) } else { result.append(byte) }
    }
    return result
}
