// IPv4 and IPv6 addresses.
extension GuardDetector {
    static func ipv4(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if let before = cursor.at(start - 1), GuardASCII.isAlphanumeric(before) || before == UInt8(ascii: ".") { return nil }
        var index = start
        for octet in 0..<4 {
            if octet > 0 {
                guard cursor.at(index) == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            guard let first = cursor.at(index), GuardASCII.isDigit(first) else { return nil }
            var value = GuardASCII.digitValue(first)
            index += 1
            while let byte = cursor.at(index), GuardASCII.isDigit(byte) {
                guard value != 0 else { return nil }
                value = value * 10 + GuardASCII.digitValue(byte)
                guard value <= 255 else { return nil }
                index += 1
            }
        }
        // `1.2.3.4.5` is not an address; `1.2.3.4.` ends a sentence.
        if GuardASCII.isLetter(cursor.at(index)) { return nil }
        if cursor.at(index) == UInt8(ascii: "."), GuardASCII.isDigit(cursor.at(index + 1)) { return nil }
        return index
    }

    static func ipv6(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if let before = cursor.at(start - 1), GuardASCII.isAlphanumeric(before) || before == UInt8(ascii: ":") || before == UInt8(ascii: ".") {
            return nil
        }
        // Words of hex letters are common in prose: count colons before collecting anything.
        var index = start
        var colons = 0
        while let byte = cursor.at(index), GuardASCII.isHex(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") {
            if byte == UInt8(ascii: ":") { colons += 1 }
            guard index - start < 46 else { return nil }
            index += 1
        }
        guard colons >= 2, !GuardASCII.isAlphanumeric(cursor.at(index)) else { return nil }
        var text: [UInt8] = []
        for offset in start..<index { text.append(cursor.at(offset) ?? 0) }
        // A sentence may end with `.` or `:` after the address.
        while text.last == UInt8(ascii: ".") { text.removeLast() }
        if text.count >= 2, text[text.count - 1] == UInt8(ascii: ":"), text[text.count - 2] != UInt8(ascii: ":") { text.removeLast() }
        guard text.count <= 45, isIPv6(text) else { return nil }
        return start + text.count
    }

    /// RFC 4291 section 2.2 text forms, with at least two colons and one hex digit.
    static func isIPv6(_ text: [UInt8]) -> Bool {
        let colon = UInt8(ascii: ":")
        guard text.filter({ $0 == colon }).count >= 2, text.contains(where: { GuardASCII.isHex($0) }) else { return false }
        var halves: [[UInt8]] = []
        var current: [UInt8] = []
        var index = 0
        while index < text.count {
            if text[index] == colon, index + 1 < text.count, text[index + 1] == colon {
                halves.append(current)
                current = []
                index += 2
                continue
            }
            current.append(text[index])
            index += 1
        }
        halves.append(current)
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (half, part) in halves.enumerated() {
            guard !part.isEmpty else { continue }
            let fields = part.split(separator: colon, omittingEmptySubsequences: false)
            for (position, field) in fields.enumerated() {
                let last = half == halves.count - 1 && position == fields.count - 1
                if last, field.contains(UInt8(ascii: ".")) {
                    guard isDottedQuad(Array(field)) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(field.count), field.allSatisfy({ GuardASCII.isHex($0) }) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }

    private static func isDottedQuad(_ text: [UInt8]) -> Bool {
        let octets = text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard octets.count == 4 else { return false }
        return octets.allSatisfy { octet in
            guard (1...3).contains(octet.count), octet.allSatisfy({ GuardASCII.isDigit($0) }),
                  octet.count == 1 || octet.first != UInt8(ascii: "0") else { return false }
            return octet.reduce(0) { $0 * 10 + GuardASCII.digitValue($1) } <= 255
        }
    }
}
