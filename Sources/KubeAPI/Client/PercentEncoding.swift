/// Percent-encoding for URL path segments and query values (RFC 3986 section 2.1).
///
/// Object names are DNS subdomains and never need it; label selectors (`app=x,tier!=y`) do.
package enum PercentEncoding {
    /// `text` with everything outside RFC 3986's unreserved set encoded.
    package static func pathSegment(_ text: String) -> String { encode(text) }

    /// A query value: as `pathSegment`, so `=`, `&`, `,`, `+` and spaces are all encoded.
    package static func queryValue(_ text: String) -> String { encode(text) }

    private static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
