/// Where a request presents its consumer key: `Authorization: Bearer …` (OpenAI SDKs),
/// `x-api-key` (Anthropic SDK) or `api-key` (Azure SDK), looked for in that order. An empty
/// value counts as no key.
package enum PresentedKey {
    /// The key's bytes, or nil when the request presents none.
    package static func find(in headers: HTTPHeaders) -> Substring.UTF8View? {
        if let authorization = headers.first("authorization"), let start = keyStart(authorization) {
            let utf8 = Substring(authorization).utf8
            return utf8[utf8.index(utf8.startIndex, offsetBy: start)...]
        }
        for name in ["x-api-key", "api-key"] {
            if let value = headers.first(name), !value.isEmpty { return Substring(value).utf8 }
        }
        return nil
    }

    /// Where the key starts in an `Authorization` value of the `Bearer` scheme (any case,
    /// spaces after it skipped), or nil when it is another scheme or no key follows.
    private static func keyStart(_ authorization: String) -> Int? {
        var value = authorization
        return value.withUTF8 { bytes in
            let scheme = (UInt8(ascii: "b"), UInt8(ascii: "e"), UInt8(ascii: "a"), UInt8(ascii: "r"), UInt8(ascii: "e"), UInt8(ascii: "r"))
            guard bytes.count > 7, bytes[0] | 0x20 == scheme.0, bytes[1] | 0x20 == scheme.1, bytes[2] | 0x20 == scheme.2,
                  bytes[3] | 0x20 == scheme.3, bytes[4] | 0x20 == scheme.4, bytes[5] | 0x20 == scheme.5,
                  bytes[6] == UInt8(ascii: " ") else { return nil }
            var start = 7
            while start < bytes.count, bytes[start] == UInt8(ascii: " ") { start += 1 }
            return start < bytes.count ? start : nil
        }
    }
}
