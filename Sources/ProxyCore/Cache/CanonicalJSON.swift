/// The canonical form of a JSON document, for cache keys: object keys sorted by their UTF-8
/// bytes, no insignificant whitespace, numbers normalised (`1.0`, `1e0` and `1` are one
/// number; `-0` is `0`), strings written as `JSONWriter` writes them (`"\u0061"` is `"a"`), so
/// two bodies that differ only in layout or spelling give the same bytes. Arrays keep their
/// order: in a conversation it is meaning.
///
/// Pure; call from any thread. One validating walk over the body that writes the canonical
/// bytes as it goes (`CanonicalJSONBuilder`): strings and numbers without escapes or exponents
/// (most of them) are copied as they are, never decoded.
package enum CanonicalJSON {
    /// A canonical document and where the top-level members' values sit in the original.
    package struct Result: Sendable {
        package let bytes: [UInt8]
        /// Every top-level member (omitted ones too), by decoded key, with its value's range in the body.
        package let members: [(key: [UInt8], range: Range<Int>)]
    }

    /// The canonical form of `body`, which must be a JSON object, without the top-level members
    /// whose keys are in `omitting`; nil when `body` is not valid JSON or not an object.
    package static func canonicalize(_ body: UnsafeRawBufferPointer, omitting: [[UInt8]] = []) -> Result? {
        var builder = CanonicalJSONBuilder(buffer: body, omitting: omitting)
        do {
            try JSONSyntaxWalker.walk(body, maxDepth: 128, visitor: &builder)
        } catch {
            return nil
        }
        guard builder.root.first == UInt8(ascii: "{") else { return nil }
        return Result(bytes: builder.root, members: builder.topLevel)
    }

    /// `canonicalize` on an array of bytes.
    package static func canonicalize(_ body: [UInt8], omitting: [[UInt8]] = []) -> Result? {
        body.withUnsafeBytes { canonicalize($0, omitting: omitting) }
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
