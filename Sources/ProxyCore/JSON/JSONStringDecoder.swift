/// Turns the content of a JSON string (the bytes between its quotes) into what it denotes.
///
/// Meant for content the walker has validated, but safe on any bytes: a malformed escape
/// makes the result nil (or the comparison false), never a trap or an out-of-bounds access.
enum JSONStringDecoder {
    /// The decoded string, or nil when an escape is malformed. One allocation at most
    /// (none for short strings), and a plain copy when there is no backslash.
    static func decode(_ buffer: UnsafeRawBufferPointer, content: Range<Int>) -> String? {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[content])
        guard bytes.contains(JSONLexer.backslash) else { return String(decoding: bytes, as: UTF8.self) }
        var failed = false
        // Every escape is longer than the UTF-8 it stands for, so content.count always suffices.
        let decoded = String(unsafeUninitializedCapacity: bytes.count) { output in
            var iterator = Iterator(bytes)
            var written = 0
            while let byte = iterator.next() {
                guard written < output.count else { failed = true; return 0 }
                output[written] = byte
                written += 1
            }
            failed = iterator.failed
            return written
        }
        return failed ? nil : decoded
    }

    /// True when the content decodes to exactly `key`'s bytes; compares as it decodes, without allocating.
    static func contentEquals(_ buffer: UnsafeRawBufferPointer, content: Range<Int>, escaped: Bool, key: [UInt8]) -> Bool {
        key.withUnsafeBytes { contentEquals(buffer, content: content, escaped: escaped, key: $0) }
    }

    /// The same, for a literal key: nothing is allocated.
    static func contentEquals(_ buffer: UnsafeRawBufferPointer, content: Range<Int>, escaped: Bool, key: StaticString) -> Bool {
        contentEquals(buffer, content: content, escaped: escaped,
                      key: UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
    }

    static func contentEquals(_ buffer: UnsafeRawBufferPointer, content: Range<Int>, escaped: Bool, key: UnsafeRawBufferPointer) -> Bool {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[content])
        guard escaped else {
            guard bytes.count == key.count else { return false }
            for index in 0..<key.count where bytes[index] != key[index] { return false }
            return true
        }
        // An escape only ever shrinks, so content shorter than the key cannot match.
        guard bytes.count >= key.count else { return false }
        var iterator = Iterator(bytes)
        for expected in key {
            guard let byte = iterator.next(), byte == expected else { return false }
        }
        return iterator.next() == nil && !iterator.failed
    }

    /// The decoded UTF-8 bytes of string content, one at a time.
    struct Iterator: IteratorProtocol {
        private let bytes: UnsafeRawBufferPointer
        private var index = 0
        // Up to three more bytes of the current escape's UTF-8, lowest byte first.
        private var pending: UInt32 = 0
        private var pendingCount = 0
        private(set) var failed = false

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func next() -> UInt8? {
            if pendingCount > 0 {
                let byte = UInt8(truncatingIfNeeded: pending)
                pending >>= 8
                pendingCount -= 1
                return byte
            }
            guard index < bytes.count, !failed else { return nil }
            let byte = bytes[index]
            guard byte == JSONLexer.backslash else {
                index += 1
                return byte
            }
            guard index + 1 < bytes.count else { return fail() }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return escape
            case UInt8(ascii: "b"): return 0x08
            case UInt8(ascii: "f"): return 0x0C
            case UInt8(ascii: "n"): return 0x0A
            case UInt8(ascii: "r"): return 0x0D
            case UInt8(ascii: "t"): return 0x09
            case UInt8(ascii: "u"): break
            default: return fail()
            }
            guard let unit = hex4() else { return fail() }
            var scalarValue = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard index + 1 < bytes.count, bytes[index] == JSONLexer.backslash, bytes[index + 1] == UInt8(ascii: "u") else {
                    return fail()
                }
                index += 2
                guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return fail() }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { return fail() }
            return start(scalar.value)
        }

        // Returns the first UTF-8 byte of `value` and queues the rest (RFC 3629 section 3).
        private mutating func start(_ value: UInt32) -> UInt8 {
            func continuation(_ shift: UInt32) -> UInt32 { 0x80 | (value >> shift) & 0x3F }
            switch value {
            case ..<0x80:
                return UInt8(value)
            case ..<0x800:
                (pending, pendingCount) = (continuation(0), 1)
                return UInt8(0xC0 | value >> 6)
            case ..<0x10000:
                (pending, pendingCount) = (continuation(6) | continuation(0) << 8, 2)
                return UInt8(0xE0 | value >> 12)
            default:
                (pending, pendingCount) = (continuation(12) | continuation(6) << 8 | continuation(0) << 16, 3)
                return UInt8(0xF0 | value >> 18)
            }
        }

        private mutating func hex4() -> UInt16? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt16 = 0
            for offset in index..<index + 4 {
                guard let digit = JSONLexer.hexValue(bytes[offset]) else { return nil }
                value = value << 4 | UInt16(digit)
            }
            index += 4
            return value
        }

        private mutating func fail() -> UInt8? {
            failed = true
            return nil
        }
    }
}
