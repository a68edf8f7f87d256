/// Where a request presents its consumer key: `Authorization: Bearer …` (OpenAI SDKs),
/// `x-api-key` (Anthropic SDK) or `api-key` (Azure SDK), looked for in that order. An empty
/// value counts as no key.
package enum PresentedKey {
    /// The key's bytes, or nil when the request presents none.
    package static func find(in headers: HTTPHeaders) -> Substring.UTF8View? {
        if let authorization = headers.first("authorization") {
            let utf8 = authorization.utf8
            let scheme = "bearer ".utf8
            if utf8.count > scheme.count,
               zip(utf8.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 }) {
                let key = Substring(authorization).dropFirst(scheme.count).drop { $0 == " " }
                if !key.isEmpty { return key.utf8 }
            }
        }
        for name in ["x-api-key", "api-key"] {
            if let value = headers.first(name), !value.isEmpty { return Substring(value).utf8 }
        }
        return nil
    }
}
