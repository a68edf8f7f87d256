/// A numeric socket address to bind: `127.0.0.1:4000`, `0.0.0.0:4090` or `[::1]:4001`.
///
/// Numeric only, so binding never needs a DNS lookup. Port 0 means "any free port".
package struct ListenerAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IP address without brackets: `127.0.0.1`, `::1`.
    package let host: String
    /// The TCP port; 0 asks the kernel for a free one.
    package let port: UInt16

    /// An address from parts already known to be valid.
    package init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `a.b.c.d:port` or `[ipv6]:port`; nil for anything else (names, missing port,
    /// port above 65535, leading zeros in an IPv4 octet).
    package init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return nil }
        let hostBytes = bytes[..<colon]
        guard let port = Self.parsePort(bytes[(colon + 1)...]) else { return nil }
        if hostBytes.first == UInt8(ascii: "[") {
            guard hostBytes.count > 2, hostBytes.last == UInt8(ascii: "]") else { return nil }
            let inner = hostBytes.dropFirst().dropLast()
            guard Self.isIPv6(inner) else { return nil }
            self.init(host: String(decoding: inner, as: UTF8.self), port: port)
        } else {
            guard Self.isIPv4(hostBytes) else { return nil }
            self.init(host: String(decoding: hostBytes, as: UTF8.self), port: port)
        }
    }

    /// Whether `host` is IPv6 (written in brackets in `description`).
    package var isIPv6: Bool { host.utf8.contains(UInt8(ascii: ":")) }

    /// Whether the address only accepts connections from this pod: 127.0.0.0/8 or ::1.
    package var isLoopback: Bool {
        if isIPv6 { return Self.isIPv6Loopback(Array(host.utf8)) }
        return host.utf8.starts(with: "127.".utf8)
    }

    /// As written in the config: `127.0.0.1:4000`, `[::1]:4001`.
    package var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func parsePort(_ bytes: ArraySlice<UInt8>) -> UInt16? {
        guard !bytes.isEmpty, bytes.count <= 5, bytes.allSatisfy(isDigit) else { return nil }
        if bytes.count > 1 && bytes.first == UInt8(ascii: "0") { return nil }
        var value = 0
        for byte in bytes { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
        return value <= 65535 ? UInt16(value) : nil
    }

    private static func isIPv4(_ bytes: ArraySlice<UInt8>) -> Bool {
        let parts = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(isDigit) else { return false }
            if part.count > 1 && part.first == UInt8(ascii: "0") { return false }
            var value = 0
            for byte in part { value = value * 10 + Int(byte - UInt8(ascii: "0")) }
            if value > 255 { return false }
        }
        return true
    }

    /// RFC 4291 §2.2 text form without an embedded IPv4 tail or zone: up to eight groups of
    /// one to four hex digits, with at most one `::` standing for one or more zero groups.
    private static func isIPv6(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let groups = ipv6Groups(bytes) else { return false }
        return groups.count <= 8
    }

    private static func isIPv6Loopback(_ bytes: [UInt8]) -> Bool {
        guard let groups = ipv6Groups(bytes[...]) else { return false }
        // Expand `::` (the nil) into the zero groups it stands for.
        var expanded: [UInt16] = []
        for group in groups {
            if let group { expanded.append(group) } else {
                expanded.append(contentsOf: repeatElement(0, count: 8 - (groups.count - 1)))
            }
        }
        return expanded == [0, 0, 0, 0, 0, 0, 0, 1]
    }

    /// The groups' values in order, `nil` marking the single `::`; nil when malformed.
    private static func ipv6Groups(_ bytes: ArraySlice<UInt8>) -> [UInt16?]? {
        guard !bytes.isEmpty else { return nil }
        var groups: [UInt16?] = []
        var index = bytes.startIndex
        var sawGap = false
        if bytes.starts(with: "::".utf8) {
            groups.append(nil)
            sawGap = true
            index += 2
            if index == bytes.endIndex { return groups }
        } else if bytes.first == UInt8(ascii: ":") {
            return nil
        }
        while index < bytes.endIndex {
            var value: UInt16 = 0
            var digits = 0
            while index < bytes.endIndex, let digit = JSONLexer.hexValue(bytes[index]) {
                digits += 1
                if digits > 4 { return nil }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            guard digits > 0 else { return nil }
            groups.append(value)
            if index == bytes.endIndex { break }
            guard bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ":") {
                if sawGap { return nil }
                sawGap = true
                groups.append(nil)
                index += 1
                if index == bytes.endIndex { break }
            } else if index == bytes.endIndex {
                return nil
            }
        }
        if !sawGap && groups.count != 8 { return nil }
        if sawGap && groups.count > 8 { return nil }
        return groups
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

}
