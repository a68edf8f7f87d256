/// Reads a detector's bytes from a window, remembering whether it had to look past what has
/// arrived so far (then the detector's answer is not final and the start stays pending).
struct GuardCursor {
    let window: GuardWindow
    /// Bytes at or after this absolute offset read as the end of the text: a detector's
    /// decision never depends on more than its bound.
    let limit: Int
    private(set) var ranOut = false

    init(window: GuardWindow, limit: Int) {
        self.window = window
        self.limit = limit
    }

    /// The byte at absolute `offset`; nil before the text, at `limit`, or past the end.
    mutating func at(_ offset: Int) -> UInt8? {
        guard offset < limit else { return nil }
        if offset >= window.end, !window.isFinal { ranOut = true }
        return window.byte(at: offset)
    }

    /// True when the bytes at `offset` spell `literal`.
    mutating func matches(_ literal: StaticString, at offset: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        for index in 0..<count where at(offset + index) != literal.utf8Start[index] { return false }
        return true
    }
}

/// ASCII classes the detectors use; bytes of other characters are in none of them.
enum GuardASCII {
    static func isDigit(_ byte: UInt8?) -> Bool { guard let byte else { return false }; return byte &- 0x30 < 10 }
    static func isUpper(_ byte: UInt8?) -> Bool { guard let byte else { return false }; return byte &- 0x41 < 26 }
    static func isLower(_ byte: UInt8?) -> Bool { guard let byte else { return false }; return byte &- 0x61 < 26 }
    static func isLetter(_ byte: UInt8?) -> Bool { isUpper(byte) || isLower(byte) }
    static func isAlphanumeric(_ byte: UInt8?) -> Bool { isDigit(byte) || isLetter(byte) }
    static func isHex(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 6
    }
    static func digitValue(_ byte: UInt8) -> Int { Int(byte &- 0x30) }
}
