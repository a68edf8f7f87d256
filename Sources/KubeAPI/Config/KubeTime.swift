import ProxyCore

/// Kubernetes timestamps (RFC 3339 in UTC): `Time` (`2024-05-01T12:00:00Z`) and
/// `MicroTime` (`2024-05-01T12:00:00.123456Z`, used by Leases).
///
/// Pure; the caller supplies the instant (from `ProxyClock.wallNanoseconds()`).
package enum KubeTime {
    /// `MicroTime` text for nanoseconds since the Unix epoch.
    package static func microTime(epochNanoseconds: UInt64) -> String {
        let seconds = epochNanoseconds / 1_000_000_000
        let micros = (epochNanoseconds % 1_000_000_000) / 1000
        let fraction = String(micros)
        return dateTime(epochSeconds: seconds) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    /// `Time` text (whole seconds) for nanoseconds since the Unix epoch.
    package static func time(epochNanoseconds: UInt64) -> String {
        dateTime(epochSeconds: epochNanoseconds / 1_000_000_000) + "Z"
    }

    /// Nanoseconds since the Unix epoch for an RFC 3339 date-time (`Z` or `±hh:mm`, any
    /// number of fraction digits), or nil when it is not one or lies before 1970.
    package static func parse(_ text: String) -> UInt64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard bytes[index] >= 48, bytes[index] <= 57 else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var nanos: UInt64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { nanos = nanos * 10 + UInt64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offsetSeconds = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6), hours < 24, minutes < 60
            else { return nil }
            offsetSeconds = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        guard seconds >= 0 else { return nil }
        return UInt64(seconds) * 1_000_000_000 + nanos
    }

    private static func dateTime(epochSeconds: UInt64) -> String {
        let (year, month, day) = CivilDate.date(daysSinceEpoch: Int(epochSeconds / 86_400))
        let secondOfDay = Int(epochSeconds % 86_400)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-" + two(day)
            + "T" + two(secondOfDay / 3600) + ":" + two(secondOfDay / 60 % 60) + ":" + two(secondOfDay % 60)
    }
}
