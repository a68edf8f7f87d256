/// A value of a URL query (`name=value`, `application/x-www-form-urlencoded`), decoded:
/// `%XX` to its byte and `+` to a space (WHATWG URL, "application/x-www-form-urlencoded parsing").
///
/// Pure; callable from any thread.
package enum QueryValue {
    /// The decoded text, or nil when an escape is malformed (`%` not followed by two hex
    /// digits) or the bytes are not UTF-8.
    package static func decode(_ raw: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = raw.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(JSONLexer.hexValue), let low = iterator.next().flatMap(JSONLexer.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
