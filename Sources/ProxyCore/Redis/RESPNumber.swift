/// Decimal numbers as RESP writes them, parsed with checked arithmetic: every length and
/// integer comes from the peer, and an overflow trap would be a remote crash.
///
/// Pure; call from any thread.
package enum RESPNumber {
    /// An optional `-` or `+` then one or more ASCII digits fitting in `Int64`; nil otherwise.
    package static func parseInteger(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        // Accumulate negatively so Int64.min parses too.
        var value: Int64 = 0
        while index < bytes.endIndex {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times.subtractingReportingOverflow(Int64(digit))
            guard !overflow1, !overflow2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// RESP3's double: `inf`, `-inf`, `nan`, or a decimal with optional fraction and exponent.
    package static func parseDouble(_ bytes: ArraySlice<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 512 else { return nil }
        switch Array(bytes) {
        case Array("inf".utf8), Array("+inf".utf8): return .infinity
        case Array("-inf".utf8): return -.infinity
        case Array("nan".utf8), Array("-nan".utf8): return .nan
        default: break
        }
        // Only the characters of a decimal literal: Swift's parser would also take hex floats
        // and words such as "infinity".
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") ||
                byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
        }
        guard allowed else { return nil }
        return Double(String(decoding: bytes, as: UTF8.self))
    }

    /// RESP3's big number: an optional `-` then one or more digits.
    package static func isBigNumber(_ bytes: ArraySlice<UInt8>) -> Bool {
        let digits = bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") ? bytes.dropFirst() : bytes
        return !digits.isEmpty && digits.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
