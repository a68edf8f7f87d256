#if canImport(ProxyCore)
import ProxyCore  // the fuzz target compiles ProxyCore/JSON and this folder as one module
#endif

/// Types plain scalars by the YAML 1.2 core schema (YAML 1.2.2 §10.3), mapped onto JSON.
///
/// - `null`, `Null`, `NULL`, `~` and the empty scalar are null.
/// - `true`, `True`, `TRUE`, `false`, `False`, `FALSE` are booleans.
/// - `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+` are integers; floats are
///   `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`. Both become a `JSONNumber`
///   whose literal is valid JSON (decimal, no `+`, no leading zeros, digits around the point).
/// - `.inf` and `.nan` (any sign and case variant) cannot be represented in JSON and are refused.
/// - Everything else is a string: `yes`, `no`, `on`, `off`, `y`, `n` stay strings, as YAML 1.2
///   says. kubectl's YAML 1.1 parser reads those words as booleans, so manifests should quote
///   them; the writer always does.
///
/// Quoted and block scalars are never typed: they are always strings.
enum YAMLCoreSchema {
    /// What a plain scalar means.
    enum Resolution: Hashable {
        case value(JSONValue)
        /// The scalar is valid YAML but has no JSON equivalent; the message says why.
        case unrepresentable(String)
    }

    static func resolve(_ text: [UInt8]) -> Resolution {
        guard let first = text.first else { return .value(.null) }
        // Every non-string form starts with one of these; skip the work for ordinary words.
        guard first == YAMLByte.tilde || first == YAMLByte.dot || first == YAMLByte.plus || first == YAMLByte.minus
            || YAMLByte.isDigit(first) || first == 0x6E || first == 0x4E || first == 0x74 || first == 0x54
            || first == 0x66 || first == 0x46
        else { return .value(.string(String(decoding: text, as: UTF8.self))) }

        switch text {
        case Array("~".utf8), Array("null".utf8), Array("Null".utf8), Array("NULL".utf8):
            return .value(.null)
        case Array("true".utf8), Array("True".utf8), Array("TRUE".utf8):
            return .value(.bool(true))
        case Array("false".utf8), Array("False".utf8), Array("FALSE".utf8):
            return .value(.bool(false))
        default:
            break
        }
        if let special = specialFloat(text) {
            return .unrepresentable("'\(special)' (infinity or not-a-number) cannot be represented in JSON; quote it to keep it as a string")
        }
        if text.count > 2, text[0] == YAMLByte.zero, text[1] == 0x6F || text[1] == 0x78 {
            let radix: UInt64 = text[1] == 0x6F ? 8 : 16
            guard let digits = integer(text[2...], radix: radix) else {
                // Not all digits: `0xZZ` is a string. A valid but huge number is refused below.
                if text[2...].allSatisfy({ digitValue($0, radix: radix) != nil }) {
                    return .unrepresentable("integer '\(String(decoding: text.prefix(40), as: UTF8.self))' does not fit in 64 bits")
                }
                return .value(.string(String(decoding: text, as: UTF8.self)))
            }
            return .value(.number(JSONNumber(literal: digits)))
        }
        if let literal = decimalNumberLiteral(text) {
            return .value(.number(JSONNumber(literal: literal)))
        }
        return .value(.string(String(decoding: text, as: UTF8.self)))
    }

    /// The text of `.inf`, `-.Inf`, `.nan`… when `text` is one of the core schema's special floats.
    private static func specialFloat(_ text: [UInt8]) -> String? {
        var body = text[...]
        if let sign = body.first, sign == YAMLByte.plus || sign == YAMLByte.minus { body = body.dropFirst() }
        let word = String(decoding: body, as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(word) { return String(decoding: text, as: UTF8.self) }
        if body.count == text.count, [".nan", ".NaN", ".NAN"].contains(word) { return word }
        return nil
    }

    private static func digitValue(_ byte: UInt8, radix: UInt64) -> UInt64? {
        guard let value = YAMLByte.hexValue(byte), UInt64(value) < radix else { return nil }
        return UInt64(value)
    }

    /// The decimal text of an unsigned integer in `radix`, or nil when a digit is invalid or it overflows.
    private static func integer(_ digits: ArraySlice<UInt8>, radix: UInt64) -> String? {
        var value: UInt64 = 0
        for byte in digits {
            guard let digit = digitValue(byte, radix: radix) else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = shifted.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return String(value)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` rewritten as a JSON number, or nil.
    private static func decimalNumberLiteral(_ text: [UInt8]) -> String? {
        var index = 0
        var negative = false
        if text[index] == YAMLByte.plus || text[index] == YAMLByte.minus {
            negative = text[index] == YAMLByte.minus
            index += 1
        }
        let integerStart = index
        while index < text.count, YAMLByte.isDigit(text[index]) { index += 1 }
        var integerPart = text[integerStart..<index]
        var fraction: ArraySlice<UInt8>?
        if index < text.count, text[index] == YAMLByte.dot {
            index += 1
            let fractionStart = index
            while index < text.count, YAMLByte.isDigit(text[index]) { index += 1 }
            fraction = text[fractionStart..<index]
        }
        // `.` alone, `+`, `-.`: no digits at all.
        guard !integerPart.isEmpty || !(fraction ?? []).isEmpty else { return nil }
        var exponent: ArraySlice<UInt8> = []
        if index < text.count, text[index] == 0x65 || text[index] == 0x45 {
            let exponentStart = index
            index += 1
            if index < text.count, text[index] == YAMLByte.plus || text[index] == YAMLByte.minus { index += 1 }
            let digitsStart = index
            while index < text.count, YAMLByte.isDigit(text[index]) { index += 1 }
            guard index > digitsStart else { return nil }
            exponent = text[exponentStart..<index]
        }
        guard index == text.count else { return nil }

        // JSON forbids leading zeros, a leading `+`, and a point without digits on both sides.
        while integerPart.count > 1, integerPart.first == YAMLByte.zero { integerPart = integerPart.dropFirst() }
        var literal = negative ? "-" : ""
        literal += integerPart.isEmpty ? "0" : String(decoding: integerPart, as: UTF8.self)
        if let fraction {
            literal += "." + (fraction.isEmpty ? "0" : String(decoding: fraction, as: UTF8.self))
        }
        literal += String(decoding: exponent, as: UTF8.self)
        return literal
    }
}
