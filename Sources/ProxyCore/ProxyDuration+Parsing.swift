extension ProxyDuration {
    /// Parses the config's duration strings: a sequence of decimal numbers each with a
    /// unit — `ns`, `us`, `ms`, `s`, `m`, `h` — such as `"250ms"`, `"2s"`, `"1h"`, `"1m30s"`,
    /// `"1.5s"`. Nil for anything else (a bare number, a sign, an unknown unit, overflow).
    package init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total: UInt64 = 0
        var index = 0
        while index < bytes.count {
            // Integer and optional fraction, kept exact as (whole, fraction digits, scale).
            var whole: UInt64 = 0
            var fraction: UInt64 = 0
            var fractionScale: UInt64 = 1
            var digits = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                if o1 || o2 { return nil }
                whole = sum
                index += 1
                digits += 1
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    if fractionScale < 1_000_000_000 {
                        fraction = fraction * 10 + UInt64(bytes[index] - UInt8(ascii: "0"))
                        fractionScale *= 10
                    }
                    index += 1
                    digits += 1
                }
            }
            guard digits > 0 else { return nil }
            let unitStart = index
            while index < bytes.count, !(bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")), bytes[index] != UInt8(ascii: ".") {
                index += 1
            }
            let multiplier: UInt64
            switch String(decoding: bytes[unitStart..<index], as: UTF8.self) {
            case "ns": multiplier = 1
            case "us", "µs": multiplier = 1_000
            case "ms": multiplier = 1_000_000
            case "s": multiplier = 1_000_000_000
            case "m": multiplier = 60_000_000_000
            case "h": multiplier = 3_600_000_000_000
            default: return nil
            }
            let (wholePart, o1) = whole.multipliedReportingOverflow(by: multiplier)
            // fraction < fractionScale, so fraction × multiplier / fractionScale < multiplier fits.
            let product = fraction.multipliedFullWidth(by: multiplier)
            let fractionNanos = fractionScale.dividingFullWidth(product).quotient
            let (sum, o2) = wholePart.addingReportingOverflow(fractionNanos)
            let (newTotal, o3) = total.addingReportingOverflow(sum)
            if o1 || o2 || o3 { return nil }
            total = newTotal
        }
        self.init(nanoseconds: total)
    }

    /// The shortest config string for this duration (`"250ms"`, `"2s"`, `"90s"`).
    package var configString: String {
        let n = nanoseconds
        if n == 0 { return "0s" }
        if n % 3_600_000_000_000 == 0 { return "\(n / 3_600_000_000_000)h" }
        if n % 60_000_000_000 == 0 { return "\(n / 60_000_000_000)m" }
        if n % 1_000_000_000 == 0 { return "\(n / 1_000_000_000)s" }
        if n % 1_000_000 == 0 { return "\(n / 1_000_000)ms" }
        if n % 1_000 == 0 { return "\(n / 1_000)us" }
        return "\(n)ns"
    }
}
