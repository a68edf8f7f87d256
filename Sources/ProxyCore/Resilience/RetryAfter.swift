/// How long a provider asks us to wait before trying again, from its response headers.
///
/// Reads `retry-after-ms` (milliseconds, Azure OpenAI and OpenAI), `Retry-After` (delay
/// seconds or an HTTP date, RFC 9110 §10.2.3) and the rate-limit resets
/// `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` (Go-style durations such as
/// `1m30s`, `6ms`, `2.5s`, as OpenAI sends them). Every number is untrusted: parsing uses
/// checked arithmetic and every result is capped at `cap`, so no header can trap or make the
/// proxy wait for days. Pure; call from any thread.
package enum RetryAfter {
    /// The longest wait any header can ask for: 1 hour.
    package static let cap = ProxyDuration.seconds(3600)

    /// The wait the headers ask for, or nil when none says anything usable.
    ///
    /// An explicit retry delay wins (`retry-after-ms`, else `Retry-After`). Otherwise the
    /// rate-limit resets count: the one whose `x-ratelimit-remaining-*` is `0`, or the longer
    /// of the two when neither says which limit is exhausted. `nowEpochSeconds` is the wall
    /// clock, for `Retry-After` dates; a date in the past means no wait (zero). Call it for
    /// responses that trigger a retry (a 429 or 503), not for successes: OpenAI sends the
    /// reset headers on every response.
    package static func wait(in headers: HTTPHeaders, nowEpochSeconds: UInt64) -> ProxyDuration? {
        if let value = headers.first("retry-after-ms"), let wait = milliseconds(value) { return wait }
        if let value = headers.first("retry-after"), let wait = retryAfter(value, nowEpochSeconds: nowEpochSeconds) { return wait }
        let requests = headers.first("x-ratelimit-reset-requests").flatMap(resetDuration)
        let tokens = headers.first("x-ratelimit-reset-tokens").flatMap(resetDuration)
        let requestsExhausted = headers.first("x-ratelimit-remaining-requests").map(isZero) ?? false
        let tokensExhausted = headers.first("x-ratelimit-remaining-tokens").map(isZero) ?? false
        if requestsExhausted, !tokensExhausted, let requests { return requests }
        if tokensExhausted, !requestsExhausted, let tokens { return tokens }
        guard let requests else { return tokens }
        guard let tokens else { return requests }
        return Swift.max(requests, tokens)
    }

    /// `Retry-After`: delay seconds (digits; a fraction is tolerated) or an HTTP date.
    package static func retryAfter(_ value: some StringProtocol, nowEpochSeconds: UInt64) -> ProxyDuration? {
        let trimmed = trimmingSpaces(value)
        if let wait = decimal(trimmed, unit: 1_000_000_000) { return wait }
        guard let date = HTTPDateParser.epochSeconds(trimmed) else { return nil }
        return date > nowEpochSeconds ? Swift.min(ProxyDuration.seconds(date - nowEpochSeconds), cap) : .zero
    }

    /// `retry-after-ms`: milliseconds; a fraction is tolerated.
    package static func milliseconds(_ value: some StringProtocol) -> ProxyDuration? {
        decimal(trimmingSpaces(value), unit: 1_000_000)
    }

    /// `x-ratelimit-reset-*`: a Go duration (`1m30s`, `6ms`, `2.5s`) or bare seconds (`20`).
    package static func resetDuration(_ value: some StringProtocol) -> ProxyDuration? {
        let trimmed = trimmingSpaces(value)
        if let duration = ProxyDuration(parsing: trimmed) { return Swift.min(duration, cap) }
        // A well-formed duration too long for 64 bits of nanoseconds is simply long.
        if isWellFormedDuration(trimmed) { return cap }
        return decimal(trimmed, unit: 1_000_000_000)
    }

    /// Whether `text` has the shape of a Go duration: numbers each followed by a known unit.
    private static func isWellFormedDuration(_ text: Substring) -> Bool {
        var sawNumber = false
        var unit = ""
        var segments = 0
        func closeSegment() -> Bool {
            defer { sawNumber = false; unit = "" }
            guard sawNumber, ["ns", "us", "µs", "ms", "s", "m", "h"].contains(unit) else { return false }
            segments += 1
            return true
        }
        for character in text {
            if character.isASCII, character.isNumber || character == "." {
                if !unit.isEmpty, !closeSegment() { return false }
                sawNumber = true
            } else {
                unit.append(character)
            }
        }
        return closeSegment() && segments > 0
    }

    private static func isZero(_ value: String) -> Bool { trimmingSpaces(value) == "0" }

    /// `digits[.digits]` times `unit` nanoseconds, saturating at `cap`; nil for anything else.
    static func decimal(_ text: Substring, unit: UInt64) -> ProxyDuration? {
        var whole: UInt64 = 0
        var fraction: UInt64 = 0
        var fractionScale: UInt64 = 1
        var digits = 0
        var seenPoint = false
        var saturated = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            digits += 1
            let digit = UInt64(byte - UInt8(ascii: "0"))
            if seenPoint {
                if fractionScale < 1_000_000_000 {
                    fraction = fraction * 10 + digit
                    fractionScale *= 10
                }
            } else if !saturated {
                let (times, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(digit)
                if o1 || o2 { saturated = true } else { whole = sum }
            }
        }
        guard digits > 0 else { return nil }
        if saturated { return cap }
        let (wholeNanos, overflow) = whole.multipliedReportingOverflow(by: unit)
        if overflow { return cap }
        // fraction < fractionScale, so fraction × unit / fractionScale < unit: no overflow.
        let fractionNanos = fractionScale.dividingFullWidth(fraction.multipliedFullWidth(by: unit)).quotient
        let (total, overflow2) = wholeNanos.addingReportingOverflow(fractionNanos)
        return overflow2 ? cap : Swift.min(ProxyDuration(nanoseconds: total), cap)
    }

    /// Without leading and trailing spaces and tabs (HTTP optional whitespace).
    private static func trimmingSpaces(_ value: some StringProtocol) -> Substring {
        let text = Substring(value)
        let isSpace = { (c: Character) in c == " " || c == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return text[first...last]
    }
}
