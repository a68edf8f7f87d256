/// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/ §3.2):
/// `00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>`.
///
/// The sidecar accepts a valid one and passes it on (with `tracestate`), or starts a new
/// trace when the app sent none or an invalid one, and logs the trace id with every request.
package struct TraceContext: Hashable, Sendable {
    /// 32 lowercase hex digits, not all zero.
    package let traceID: String
    /// 16 lowercase hex digits, not all zero.
    package let parentID: String
    package let flags: UInt8

    /// Parses a `traceparent` value; nil when it is not valid (the spec says to start a new trace then).
    package init?(traceparent: String) {
        let bytes = Array(traceparent.utf8)
        // Version 00 is exactly 55 bytes; later versions may append fields after a dash (§3.2.4).
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"), bytes[52] == UInt8(ascii: "-"),
              Self.isLowerHex(bytes[0..<2]), Self.isLowerHex(bytes[3..<35]), Self.isLowerHex(bytes[36..<52]),
              Self.isLowerHex(bytes[53..<55]) else { return nil }
        let version = bytes[0..<2]
        if version.elementsEqual("ff".utf8) { return nil }
        if version.elementsEqual("00".utf8) ? bytes.count != 55 : (bytes.count > 55 && bytes[55] != UInt8(ascii: "-")) {
            return nil
        }
        let trace = bytes[3..<35]
        let parent = bytes[36..<52]
        guard trace.contains(where: { $0 != UInt8(ascii: "0") }), parent.contains(where: { $0 != UInt8(ascii: "0") }) else { return nil }
        traceID = String(decoding: trace, as: UTF8.self)
        parentID = String(decoding: parent, as: UTF8.self)
        flags = Self.hexValue(bytes[53]) << 4 | Self.hexValue(bytes[54])
    }

    /// A new trace from three random words (the caller's random source), not sampled.
    package init(random a: UInt64, _ b: UInt64, _ c: UInt64) {
        traceID = Self.hex(a == 0 && b == 0 ? 1 : a, then: b)
        parentID = Self.hex(c == 0 ? 1 : c)
        flags = 0
    }

    /// The sidecar's own span in this trace: same trace id and flags, a new span id from `span`.
    /// Forwarded upstream as the parent, so the provider's span hangs under the sidecar's,
    /// which hangs under the app's (`parentID` of the incoming value).
    package func child(span: UInt64) -> TraceContext {
        TraceContext(traceID: traceID, parentID: Self.hex(span == 0 ? 1 : span), flags: flags)
    }

    private init(traceID: String, parentID: String, flags: UInt8) {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// The header value, always version 00.
    package var traceparent: String {
        // Written into one buffer: the interpolation it replaces cost several thousand instructions.
        String(unsafeUninitializedCapacity: 55) { out in
            var count = 0
            func put(_ byte: UInt8) {
                out[count] = byte
                count += 1
            }
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "0"))
            put(UInt8(ascii: "-"))
            for byte in traceID.utf8 { put(byte) }
            put(UInt8(ascii: "-"))
            for byte in parentID.utf8 { put(byte) }
            put(UInt8(ascii: "-"))
            put(Self.hexDigit(flags >> 4))
            put(Self.hexDigit(flags & 0xF))
            return count
        }
    }

    private static func isLowerHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        byte <= UInt8(ascii: "9") ? byte - UInt8(ascii: "0") : byte - UInt8(ascii: "a") + 10
    }

    /// `first` (then `second`, if any) as 16 lowercase hex digits each, most significant first.
    private static func hex(_ first: UInt64, then second: UInt64? = nil) -> String {
        String(unsafeUninitializedCapacity: second == nil ? 16 : 32) { out in
            writeHex(first, into: out, at: 0)
            guard let second else { return 16 }
            writeHex(second, into: out, at: 16)
            return 32
        }
    }

    private static func writeHex(_ word: UInt64, into out: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        for i in 0..<16 { out[start + i] = hexDigit(UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * i)) & 0xF) }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
