/// The bytes of a YAML stream prepared for parsing: a leading byte order mark removed,
/// every line break (CRLF, CR) turned into LF, and checked to be printable UTF-8.
///
/// Also turns byte offsets back into 1-based line and column numbers for errors.
struct YAMLSource {
    /// The prepared bytes. Only LF ends a line.
    let bytes: [UInt8]

    init(_ raw: some Collection<UInt8>, maxBytes: Int) throws(YAMLError) {
        guard raw.count <= maxBytes else {
            throw YAMLError(line: 1, column: 1, message: "the input is larger than the limit of \(maxBytes) bytes")
        }
        var prepared: [UInt8] = []
        prepared.reserveCapacity(raw.count)
        // A byte order mark is allowed at the very start of the stream (YAML 1.2 §5.2).
        var body = raw[...]
        if raw.starts(with: [0xEF, 0xBB, 0xBF]) { body = raw.dropFirst(3) }
        var previousWasCR = false
        for byte in body {
            if byte == YAMLByte.cr {
                prepared.append(YAMLByte.lf)
                previousWasCR = true
                continue
            }
            if byte == YAMLByte.lf && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            prepared.append(byte)
        }
        bytes = prepared
        if let (offset, message) = Self.firstInvalidCharacter(in: prepared) {
            throw error(message, at: offset)
        }
    }

    /// The 1-based line and column of a byte offset; the column counts Unicode scalars.
    func location(of offset: Int) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<end where bytes[index] == YAMLByte.lf {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        for index in lineStart..<end where bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        return (line, column)
    }

    /// The offset of the first byte of every line, in order (for many `location`s at once).
    func lineStarts() -> [Int] {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == YAMLByte.lf { starts.append(index + 1) }
        return starts
    }

    /// `location(of:)` with the lines found once by `lineStarts()`: a binary search, then the
    /// scalars of one line.
    func location(of offset: Int, lineStarts: [Int]) -> YAMLPosition {
        let end = min(max(offset, 0), bytes.count)
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= end { low = middle } else { high = middle - 1 }
        }
        var column = 1
        for index in lineStarts[low]..<end where bytes[index] & 0xC0 != 0x80 { column += 1 }
        return YAMLPosition(line: low + 1, column: column)
    }

    func error(_ message: String, at offset: Int) -> YAMLError {
        let (line, column) = location(of: offset)
        return YAMLError(line: line, column: column, message: message)
    }

    /// The offset and a description of the first byte that is not valid, printable UTF-8.
    private static func firstInvalidCharacter(in bytes: [UInt8]) -> (Int, String)? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead < 0x20 && lead != YAMLByte.tab && lead != YAMLByte.lf || lead == 0x7F {
                    return (index, "control character \(hex(lead)) is not allowed; write it as an escape in a double-quoted scalar")
                }
                index += 1
                continue
            }
            let length: Int
            let minimum: UInt32
            var value: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
            default: return (index, "invalid UTF-8 byte \(hex(lead))")
            }
            guard index + length <= bytes.count else { return (index, "truncated UTF-8 sequence") }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else { return (index, "invalid UTF-8 sequence") }
                value = value << 6 | UInt32(continuation & 0x3F)
            }
            guard value >= minimum, let scalar = Unicode.Scalar(value) else {
                return (index, "invalid UTF-8 sequence")
            }
            guard YAMLByte.isPrintable(scalar) else {
                return (index, "non-printable character U+\(String(value, radix: 16, uppercase: true)) is not allowed; write it as an escape in a double-quoted scalar")
            }
            index += length
        }
        return nil
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count < 2 ? "0" + digits : digits)
    }
}
