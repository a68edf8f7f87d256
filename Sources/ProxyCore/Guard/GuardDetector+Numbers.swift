// Numbers with a check: resident IDs, payment cards, IBANs.
extension GuardDetector {
    private static let residentIDWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let residentIDCheck = Array("10X98765432".utf8)

    static func chinaResidentID(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if GuardASCII.isAlphanumeric(cursor.at(start - 1)) { return nil }
        var digits: [Int] = []
        for offset in 0..<17 {
            guard let byte = cursor.at(start + offset), GuardASCII.isDigit(byte) else { return nil }
            digits.append(GuardASCII.digitValue(byte))
        }
        guard var check = cursor.at(start + 17), GuardASCII.isDigit(check) || check | 0x20 == UInt8(ascii: "x") else { return nil }
        guard !GuardASCII.isAlphanumeric(cursor.at(start + 18)) else { return nil }
        if check == UInt8(ascii: "x") { check = UInt8(ascii: "X") }
        let number = { (range: Range<Int>) in range.reduce(0) { $0 * 10 + digits[$1] } }
        let (year, month, day) = (number(6..<10), number(10..<12), number(12..<14))
        guard (1900...2099).contains(year), (1...12).contains(month), (1...31).contains(day),
              CivilDate.date(daysSinceEpoch: CivilDate.daysSinceEpoch(year: year, month: month, day: day)) == (year, month, day)
        else { return nil }
        let sum = zip(digits, residentIDWeights).reduce(0) { $0 + $1.0 * $1.1 }
        guard residentIDCheck[sum % 11] == check else { return nil }
        return start + 18
    }

    static func paymentCard(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if GuardASCII.isAlphanumeric(cursor.at(start - 1)) { return nil }
        var digits: [Int] = []
        var index = start
        var end = start
        while let byte = cursor.at(index), GuardASCII.isDigit(byte) {
            digits.append(GuardASCII.digitValue(byte))
            guard digits.count <= 19 else { return nil }
            index += 1
            end = index
            if let separator = cursor.at(index), separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-"),
               GuardASCII.isDigit(cursor.at(index + 1)) {
                index += 1
            }
        }
        guard digits.count >= 13, !GuardASCII.isAlphanumeric(cursor.at(end)) else { return nil }
        // Luhn: double every second digit from the right.
        var sum = 0
        for (position, digit) in digits.reversed().enumerated() {
            let value = position % 2 == 1 ? digit * 2 : digit
            sum += value > 9 ? value - 9 : value
        }
        return sum % 10 == 0 ? end : nil
    }

    static func iban(at start: Int, _ cursor: inout GuardCursor) -> Int? {
        if GuardASCII.isAlphanumeric(cursor.at(start - 1)) { return nil }
        guard let first = cursor.at(start), let second = cursor.at(start + 1), GuardASCII.isUpper(second),
              let length = IBANLengths.length(country: first, second) else { return nil }
        var characters: [UInt8] = [first, second]
        var index = start + 2
        while characters.count < length {
            if characters.count > 2, characters.count % 4 == 0, cursor.at(index) == UInt8(ascii: " ") { index += 1 }
            guard let byte = cursor.at(index), GuardASCII.isDigit(byte) || GuardASCII.isUpper(byte) else { return nil }
            if characters.count < 4, !GuardASCII.isDigit(byte) { return nil }
            characters.append(byte)
            index += 1
        }
        guard !GuardASCII.isAlphanumeric(cursor.at(index)) else { return nil }
        // ISO 13616: the first four characters move to the end, letters count as 10–35.
        var remainder = 0
        for byte in characters[4...] + characters[..<4] {
            if GuardASCII.isDigit(byte) {
                remainder = (remainder * 10 + GuardASCII.digitValue(byte)) % 97
            } else {
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
            }
        }
        return remainder == 1 ? index : nil
    }
}
