/// Hot-path helpers: append one JSON value to a byte buffer with no intermediate `JSONValue`.
///
/// Pure; call from any thread. Each appends exactly one complete JSON value, so a caller
/// builds an object by writing `{`, a key with `appendString`, `:`, a value, and so on.
extension JSONWriter {
    /// Appends `string` quoted and escaped.
    package static func appendString(_ string: some StringProtocol, to output: inout [UInt8]) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            appendEscaped(UnsafeRawBufferPointer(utf8), validate: false, to: &output)
        }
        if done == nil {
            // Bridged or otherwise non-contiguous text: escape byte by byte (Swift strings are valid UTF-8).
            output.append(JSONLexer.quote)
            for byte in string.utf8 { appendEscapedByte(byte, to: &output) }
            output.append(JSONLexer.quote)
        }
    }

    /// Appends raw bytes (meant to be UTF-8, e.g. a slice of a request) as a JSON string.
    /// Ill-formed UTF-8 becomes U+FFFD, one per maximal ill-formed subpart, so the output is
    /// always valid JSON whatever the bytes are.
    package static func appendBytesAsString(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        appendEscaped(bytes, validate: true, to: &output)
    }

    /// Appends an integer in decimal, without allocating a `String`.
    package static func appendInt(_ value: some FixedWidthInteger, to output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = output.count
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude != 0
        output[start...].reverse()
    }

    /// Appends the shortest text that reads back as exactly `value`; infinities and NaN,
    /// which JSON cannot represent, are written as `null`.
    package static func appendDouble(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else { return output.append(contentsOf: "null".utf8) }
        // Swift's description is the shortest round-trip form, and always JSON's number
        // syntax for finite values: "1.0", "-0.0", "1e-05", "1.5e+300".
        output.append(contentsOf: value.description.utf8)
    }

    private static func appendEscaped(_ bytes: UnsafeRawBufferPointer, validate: Bool, to output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count + 2)
        output.append(JSONLexer.quote)
        var runStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 0x20, byte != JSONLexer.quote, byte != JSONLexer.backslash, byte < 0x80 || !validate {
                index += 1
                continue
            }
            if byte >= 0x80 {
                let length = JSONLexer.utf8SequenceLength(bytes, at: index)
                if length > 0 {
                    index += length
                    continue
                }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                output.append(0xEF)
                output.append(0xBF)
                output.append(0xBD)
                index += max(-length, 1)
            } else {
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscapedByte(byte, to: &output)
                index += 1
            }
            runStart = index
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
        output.append(JSONLexer.quote)
    }

    // One byte of valid UTF-8, escaped if JSON requires it (RFC 8259 section 7).
    @inline(__always)
    private static func appendEscapedByte(_ byte: UInt8, to output: inout [UInt8]) {
        let short: UInt8
        switch byte {
        case JSONLexer.quote, JSONLexer.backslash: short = byte
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        case 0..<0x20:
            func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
            output.append(JSONLexer.backslash)
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(hexDigit(byte >> 4))
            output.append(hexDigit(byte & 0xF))
            return
        default:
            output.append(byte)
            return
        }
        output.append(JSONLexer.backslash)
        output.append(short)
    }
}
