/// Parses HTTP dates (RFC 9110 §5.6.7) to seconds since the Unix epoch: the preferred
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and, as recipients must, the obsolete
/// RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`)
/// forms. Untrusted input: every field is range-checked, so nothing can overflow. Pure.
package enum HTTPDateParser {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970-01-01T00:00:00Z, or nil when `text` is not an HTTP date on or after the epoch.
    package static func epochSeconds(_ text: some StringProtocol) -> UInt64? {
        let tokens = Substring(text).split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" })
        guard tokens.count == 5 || tokens.count == 6 else { return nil }
        let day: Substring, monthName: Substring, yearText: Substring, time: Substring
        if tokens.count == 6 {
            // IMF-fixdate or RFC 850: weekday, day, month, year, time, "GMT".
            guard tokens[5] == "GMT" else { return nil }
            (day, monthName, yearText, time) = (tokens[1], tokens[2], tokens[3], tokens[4])
        } else {
            // asctime: weekday, month, day, time, year.
            (monthName, day, time, yearText) = (tokens[1], tokens[2], tokens[3], tokens[4])
        }
        guard let monthIndex = months.firstIndex(where: { $0 == monthName }),
              let dayValue = number(day, digits: 1...2), (1...31).contains(dayValue),
              var year = number(yearText, digits: 2...4) else { return nil }
        if yearText.count == 2 { year += year < 70 ? 2000 : 1900 }  // RFC 850's two-digit years.
        guard year >= 1970, year <= 9999 else { return nil }
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = number(parts[0], digits: 2...2), let minute = number(parts[1], digits: 2...2),
              let second = number(parts[2], digits: 2...2), hour < 24, minute < 60, second < 61 else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: monthIndex + 1, day: dayValue)
        return UInt64(days * 86_400 + hour * 3600 + minute * 60 + second)
    }

    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.utf8.count) else { return nil }
        var value = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
