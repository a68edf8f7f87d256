/// The host and port grammar of RFC 3986 §3.2.2–3.2.3, on bytes: what a Host field, an
/// absolute-form authority and a backend URL may hold. Pure; callable from any thread.
package enum URIHost {
    /// Whether `bytes[range]` is `uri-host [ ":" port ]` with a non-empty host.
    package static func isValidAuthority(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        var hostEnd: Int
        var portStart: Int?
        if bytes[range.lowerBound] == UInt8(ascii: "[") {
            guard let close = bytes[range].firstIndex(of: UInt8(ascii: "]")),
                  isIPv6Address(bytes, (range.lowerBound + 1)..<close) else { return false }
            hostEnd = close + 1
            if hostEnd < range.upperBound {
                guard bytes[hostEnd] == UInt8(ascii: ":") else { return false }
                portStart = hostEnd + 1
            }
        } else {
            hostEnd = range.lowerBound
            while hostEnd < range.upperBound, bytes[hostEnd] != UInt8(ascii: ":") {
                guard isRegNameByte(bytes[hostEnd]) else { return false }
                if bytes[hostEnd] == UInt8(ascii: "%") {
                    guard hostEnd + 2 < range.upperBound, isHexDigit(bytes[hostEnd + 1]), isHexDigit(bytes[hostEnd + 2]) else { return false }
                    hostEnd += 2
                }
                hostEnd += 1
            }
            guard hostEnd > range.lowerBound else { return false }
            if hostEnd < range.upperBound { portStart = hostEnd + 1 }
        }
        guard let portStart else { return true }
        return isPort(bytes, portStart..<range.upperBound)
    }

    /// 1 to 5 digits, at most 65535.
    package static func isPort(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, range.count <= 5 else { return false }
        var value = 0
        for i in range {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return false }
            value = value * 10 + Int(digit)
        }
        return value <= 65535
    }

    /// IPv6address (RFC 3986 §3.2.2): eight groups of 1 to 4 hex digits, one `::` standing for
    /// one or more zero groups, optionally ending in an IPv4 address worth two groups. Zone
    /// identifiers and IPvFuture are not accepted.
    package static func isIPv6Address(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        var groups = 0
        var compressed = false
        if range.count >= 2, bytes[i] == UInt8(ascii: ":"), bytes[i + 1] == UInt8(ascii: ":") {
            compressed = true
            i += 2
            if i == range.upperBound { return true }
        }
        while true {
            let groupStart = i
            while i < range.upperBound, i - groupStart < 5, isHexDigit(bytes[i]) { i += 1 }
            if i < range.upperBound, bytes[i] == UInt8(ascii: ".") {
                // The last 32 bits as dotted decimal.
                guard isIPv4Address(bytes, groupStart..<range.upperBound) else { return false }
                groups += 2
                break
            }
            guard i > groupStart, i - groupStart <= 4 else { return false }
            groups += 1
            if i == range.upperBound { break }
            guard bytes[i] == UInt8(ascii: ":") else { return false }
            i += 1
            if i < range.upperBound, bytes[i] == UInt8(ascii: ":") {
                guard !compressed else { return false }
                compressed = true
                i += 1
                if i == range.upperBound { break }
            } else if i == range.upperBound {
                return false
            }
            if groups > 8 { return false }
        }
        return compressed ? groups <= 7 : groups == 8
    }

    /// dec-octet "." dec-octet "." dec-octet "." dec-octet, each 0 to 255 without leading zeros.
    package static func isIPv4Address(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var octets = 0
        var i = range.lowerBound
        while true {
            let start = i
            var value = 0
            while i < range.upperBound, i - start < 3, bytes[i] &- UInt8(ascii: "0") < 10 {
                value = value * 10 + Int(bytes[i] - UInt8(ascii: "0"))
                i += 1
            }
            let digits = i - start
            guard digits > 0, value <= 255, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return false }
            octets += 1
            if octets == 4 { return i == range.upperBound }
            guard i < range.upperBound, bytes[i] == UInt8(ascii: ".") else { return false }
            i += 1
        }
    }

    /// unreserved / sub-delims / "%" (the start of pct-encoded) (RFC 3986 §3.2.2).
    package static func isRegNameByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    package static func isHexDigit(_ b: UInt8) -> Bool {
        b &- UInt8(ascii: "0") < 10 || (b | 0x20) &- UInt8(ascii: "a") < 6
    }
}
