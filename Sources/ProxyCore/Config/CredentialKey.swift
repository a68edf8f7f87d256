/// A provider key as read from its file in the secrets directory.
///
/// Whitespace around the key (the newline most files end with) is dropped; what remains must
/// be printable ASCII. A CR or LF inside would start a header of its own on the way to the
/// provider (`sk-1\r\nX-Injected: yes`), a NUL would cut it short: such a file makes the
/// config invalid, like any other mistake, and the previous config keeps serving. Pure.
package enum CredentialKey {
    /// Why a key file's content is not a key.
    package enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        /// A control byte (or DEL) at this offset of the file.
        case controlCharacter(byte: UInt8, offset: Int)
        /// A byte outside ASCII at this offset of the file.
        case nonASCII(offset: Int)

        package var description: String {
            switch self {
            case .empty:
                "is empty"
            case .controlCharacter(let byte, let offset):
                "holds a control character (byte 0x\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16)) at offset \(offset)); a key is one line of printable ASCII"
            case .nonASCII(let offset):
                "holds a byte outside ASCII at offset \(offset); a key is one line of printable ASCII"
            }
        }
    }

    /// The key in a file's `bytes`, or why there is none.
    package static func parse(_ bytes: [UInt8]) -> Result<String, Problem> {
        var start = 0
        var end = bytes.count
        while start < end, isSurroundingWhitespace(bytes[start]) { start += 1 }
        while end > start, isSurroundingWhitespace(bytes[end - 1]) { end -= 1 }
        guard start < end else { return .failure(.empty) }
        for offset in start..<end {
            let byte = bytes[offset]
            if byte < 0x20 || byte == 0x7F { return .failure(.controlCharacter(byte: byte, offset: offset)) }
            if byte >= 0x80 { return .failure(.nonASCII(offset: offset)) }
        }
        return .success(String(decoding: bytes[start..<end], as: UTF8.self))
    }

    /// SP, HTAB, CR, LF: what editors and `kubectl create secret --from-file` leave around a key.
    private static func isSurroundingWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
