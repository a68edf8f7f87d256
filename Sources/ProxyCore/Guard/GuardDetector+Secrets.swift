// API keys, AWS access key ids, PEM private keys.
extension GuardDetector {
    private static func isKeyCharacter(_ byte: UInt8?) -> Bool {
        GuardASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    static func apiKey(at start: Int, _ cursor: inout GuardCursor) -> (end: Int, pattern: Int)? {
        if isKeyCharacter(cursor.at(start - 1)) { return nil }
        guard cursor.matches("sk-", at: start) else { return nil }
        var index = start + 3
        while isKeyCharacter(cursor.at(index)) {
            index += 1
            guard index - start <= 200 else { return nil }
        }
        guard index - start - 3 >= 20 else { return nil }
        if cursor.matches("sk-ant-", at: start) { return (index, 0) }
        if cursor.matches("sk-proj-", at: start) { return (index, 1) }
        let lowercaseHex = (start + 3..<index).allSatisfy { offset in
            let byte = cursor.at(offset)
            return GuardASCII.isDigit(byte) || (GuardASCII.isHex(byte) && GuardASCII.isLower(byte))
        }
        return (index, index - start == 35 && lowercaseHex ? 2 : 3)
    }

    static func awsAccessKey(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if GuardASCII.isAlphanumeric(cursor.at(start - 1)) { return nil }
        guard cursor.matches("AKIA", at: start) || cursor.matches("ASIA", at: start) else { return nil }
        for offset in 4..<20 {
            let byte = cursor.at(start + offset)
            guard GuardASCII.isUpper(byte) || GuardASCII.isDigit(byte) else { return nil }
        }
        return GuardASCII.isAlphanumeric(cursor.at(start + 20)) ? nil : start + 20
    }

    static func privateKey(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        guard cursor.matches("-----BEGIN ", at: start) else { return nil }
        // The label: capitals and spaces, ending in `PRIVATE KEY-----`.
        var index = start + 11
        while let byte = cursor.at(index), GuardASCII.isUpper(byte) || byte == UInt8(ascii: " ") { index += 1 }
        let labelEnd = index
        guard labelEnd - start >= 22, cursor.matches("PRIVATE KEY", at: labelEnd - 11), cursor.matches("-----", at: labelEnd) else {
            return nil
        }
        index = labelEnd + 5
        // Up to the end line (any label: a mismatched one still ends the block), or as far as
        // the bound or the text goes, so an unterminated key is still covered.
        while let byte = cursor.at(index) {
            if byte == UInt8(ascii: "-"), cursor.matches("-----END ", at: index) {
                var end = index + 9
                while let byte = cursor.at(end), GuardASCII.isUpper(byte) || byte == UInt8(ascii: " ") { end += 1 }
                if cursor.matches("-----", at: end) { return end + 5 }
            }
            index += 1
        }
        return min(index, start + GuardDetector.privateKey.maxMatchLength)
    }
}
