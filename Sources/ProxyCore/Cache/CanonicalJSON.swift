/// The canonical form of a JSON document, for cache keys: object keys sorted by their UTF-8
/// bytes, no insignificant whitespace, numbers normalised (`1.0`, `1e0` and `1` are one
/// number; `-0` is `0`), so two bodies that differ only in layout give the same bytes.
/// String escapes are normalised by the writer (`"\u0061"` is `"a"`). Arrays keep their
/// order: in a conversation it is meaning.
///
/// Pure; call from any thread.
package enum CanonicalJSON {
    /// `value` in canonical form.
    package static func bytes(of value: JSONValue) -> [UInt8] {
        JSONWriter.write(normalisingNumbers(value), options: .canonical)
    }

    /// `value` with every number in its normal form.
    package static func normalisingNumbers(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number):
            return .number(normalised(number))
        case .array(let elements):
            return .array(elements.map(normalisingNumbers))
        case .object(let object):
            return .object(JSONObject(object.members.map { ($0.key, normalisingNumbers($0.value)) }))
        case .null, .bool, .string:
            return value
        }
    }

    /// An integer literal is kept as written (JSON has no leading zeros, so only `-0` changes):
    /// integers beyond 2^53 (seeds) must not round. A literal with a fraction or an exponent
    /// becomes the integer it denotes when it is one that a double holds exactly, else the
    /// shortest text that reads back as the same double.
    package static func normalised(_ number: JSONNumber) -> JSONNumber {
        let literal = number.literal
        let isInteger = !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
        if isInteger { return literal == "-0" ? JSONNumber(literal: "0") : number }
        guard let value = Double(literal), value.isFinite else { return number }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return JSONNumber(literal: String(Int64(value)))
        }
        return JSONNumber(literal: value.description)
    }
}
