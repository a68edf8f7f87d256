/// Finds a response's first token as its bytes arrive: in an event stream, the first `data`
/// field (comments such as DeepSeek's `: keep-alive`, blank lines and `event:`/`id:` lines do
/// not count); in any other body, the first byte that is not JSON whitespace (providers send
/// blank lines before a slow JSON answer). Lines and chunks may split anywhere; one leading
/// UTF-8 BOM is skipped, as `SSEParser` skips it.
///
/// A value owned by one attempt; feed it only bytes that were consumed, never bytes the
/// transfer will offer again.
package struct FirstTokenDetector: Sendable {
    package enum Scan: Hashable, Sendable {
        case notYet
        /// The first token is in the bytes just fed (or was before).
        case found
    }

    private let eventStream: Bool
    private var found = false
    /// How many bytes of `data` the current line starts with, or -1 when the line is not a data line.
    private var matched = 0
    /// Bytes of a leading BOM matched so far; 3 once the stream's start is past.
    private var bomMatched = 0

    package init(eventStream: Bool) {
        self.eventStream = eventStream
    }

    package var hasFound: Bool { found }

    package mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Scan {
        if found { return .found }
        if !eventStream {
            for byte in bytes where !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D) {
                found = true
                return .found
            }
            return .notYet
        }
        for byte in bytes {
            if bomMatched < 3 {
                if byte == Self.bom[bomMatched] {
                    bomMatched += 1
                    continue
                }
                // Not a BOM after all: its bytes begin the first line's field name, which is then not `data`.
                if bomMatched > 0 { matched = -1 }
                bomMatched = 3
            }
            if byte == 0x0A || byte == 0x0D {  // LF or CR ends a line (HTML Living Standard, event streams)
                if matched == 4 { found = true; return .found }  // a bare `data` line is a data field too
                matched = 0
                continue
            }
            switch matched {
            case -1:
                continue
            case 0..<4:
                matched = byte == Self.data[matched] ? matched + 1 : -1
            default:
                if byte == UInt8(ascii: ":") { found = true; return .found }
                matched = -1  // `datum:`, `data2:`: another field
            }
        }
        return .notYet
    }

    private static let data: [UInt8] = [0x64, 0x61, 0x74, 0x61]  // "data"
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
}
