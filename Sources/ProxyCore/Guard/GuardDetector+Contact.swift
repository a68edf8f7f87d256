// E-mail addresses and phone numbers.
extension GuardDetector {
    private static func isLocalPart(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"): return true
        default: return GuardASCII.isAlphanumeric(byte)
        }
    }

    static func email(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if let before = cursor.at(start - 1), before != UInt8(ascii: "."), isLocalPart(before) { return nil }
        var index = start
        while isLocalPart(cursor.at(index)) { index += 1 }
        guard index - start <= 64, cursor.at(index) == UInt8(ascii: "@") else { return nil }
        let domainStart = index + 1
        index = domainStart
        while let byte = cursor.at(index), GuardASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
            index += 1
        }
        // A sentence may end right after the address.
        var end = index
        while end > domainStart, let last = cursor.at(end - 1), last == UInt8(ascii: ".") || last == UInt8(ascii: "-") { end -= 1 }
        guard end - start <= 254, validDomain(from: domainStart, to: end, &cursor) else { return nil }
        return end
    }

    private static func validDomain(from start: Int, to end: Int, _ cursor: inout GuardCursor) -> Bool {
        var labels = 0
        var labelStart = start
        var lastLabelIsLetters = false
        for index in start...end {
            let byte = index < end ? cursor.at(index) : UInt8(ascii: ".")
            guard byte == UInt8(ascii: ".") else { continue }
            let length = index - labelStart
            guard length >= 1, length <= 63, cursor.at(labelStart) != UInt8(ascii: "-"), cursor.at(index - 1) != UInt8(ascii: "-") else {
                return false
            }
            labels += 1
            lastLabelIsLetters = length >= 2 && (labelStart..<index).allSatisfy { GuardASCII.isLetter(cursor.at($0)) }
            labelStart = index + 1
        }
        return labels >= 2 && lastLabelIsLetters
    }

    static func phone(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if let before = cursor.at(start - 1), GuardASCII.isAlphanumeric(before) || before == UInt8(ascii: "+") { return nil }
        guard let first = cursor.at(start + 1), first &- 0x31 < 9 else { return nil }
        var digits = 0
        var index = start + 1
        var end = index
        while true {
            while GuardASCII.isDigit(cursor.at(index)) { index += 1; digits += 1 }
            end = index
            guard digits <= 15 else { return nil }
            var separators = 0
            while separators < 2, let byte = cursor.at(index), isPhoneSeparator(byte) { index += 1; separators += 1 }
            guard separators > 0, GuardASCII.isDigit(cursor.at(index)) else { break }
        }
        // A closing parenthesis belongs to the number only inside it: `+1 (555)` is too short anyway.
        guard digits >= 8, !GuardASCII.isAlphanumeric(cursor.at(end)) else { return nil }
        return end
    }

    private static func isPhoneSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"): true
        default: false
        }
    }

    static func chinaMobile(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if GuardASCII.isAlphanumeric(cursor.at(start - 1)) { return nil }
        guard let second = cursor.at(start + 1), second &- 0x33 < 7 else { return nil }
        guard GuardASCII.isDigit(cursor.at(start + 2)) else { return nil }
        var index = start + 3
        let separator = cursor.at(index)
        let grouped = separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-")
        if grouped { index += 1 }
        for group in 0..<2 {
            for _ in 0..<4 {
                guard GuardASCII.isDigit(cursor.at(index)) else { return nil }
                index += 1
            }
            if group == 0 && grouped {
                guard cursor.at(index) == separator else { return nil }
                index += 1
            }
        }
        guard !GuardASCII.isAlphanumeric(cursor.at(index)) else { return nil }
        return index
    }
}
