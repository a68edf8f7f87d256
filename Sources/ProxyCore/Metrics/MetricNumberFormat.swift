/// How sample values and `le` bounds are written in the exposition formats.
///
/// Integral values print without a decimal point or exponent while that is exact and
/// short (`42`, `-3`, `0`: |v| < 2^63); other values print as the shortest decimal that
/// round-trips (`0.005`, `1e-05`, `1.5e+300`); the specials are `+Inf`, `-Inf` and `NaN`.
/// Both Prometheus and OpenMetrics parsers read all of these.
enum MetricNumberFormat {
    /// Appends `value` in the format above.
    static func append(_ value: Double, to buffer: inout [UInt8]) {
        if value.isNaN {
            buffer.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            buffer.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
        } else if value == value.rounded(.towardZero), abs(value) < 9.223372036854775807e18 {
            // Exact: an integral double below 2^63 converts to Int64 without rounding.
            append(Int64(value), to: &buffer)
        } else {
            // Swift's description is the shortest round-trip representation (Errol/Ryū
            // style), switching to an exponent below 1e-4 and from 1e16 up, like Go's %g.
            buffer.append(contentsOf: value.description.utf8)
        }
    }

    /// Appends an `le` bound. OpenMetrics asks for its "canonical number" form for label
    /// values, which adds `.0` to integral values (`le="1.0"`), so the same bucket has the
    /// same label value whichever client exposes it. Prometheus text uses `append`.
    static func appendBound(_ bound: Double, openMetrics: Bool, to buffer: inout [UInt8]) {
        let start = buffer.count
        append(bound, to: &buffer)
        if openMetrics, bound.isFinite,
           !buffer[start...].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            buffer.append(contentsOf: ".0".utf8)
        }
    }

    /// Appends an integer in decimal, without going through `String`.
    static func append(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
            append(value.magnitude, to: &buffer)
        } else {
            append(UInt64(value), to: &buffer)
        }
    }

    /// Appends an unsigned integer in decimal, without going through `String`.
    static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        if value == 0 {
            buffer.append(UInt8(ascii: "0"))
            return
        }
        let start = buffer.count
        var rest = value
        while rest > 0 {
            buffer.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        }
        buffer[start...].reverse()
    }
}
