import ProxyCore

/// Header rules at the proxy boundary (RFC 9110 §7.6.1): hop-by-hop fields never cross,
/// and the client's own credentials never reach a provider. The fields a `Connection` header
/// names are hop-by-hop too (`HTTPHeaders.connectionOptions`); on responses the upstream
/// transfer has removed them before the head arrives here.
enum HopByHop {
    /// Removed from requests before they go upstream. Host and Content-Length are set by
    /// libcurl; Accept-Encoding is dropped so providers answer in identity encoding, which
    /// the proxy can read (usage, guards) and the client still receives as sent.
    static func isDroppedFromRequest(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: HTTPHeaders.namesEqual(name, "te")
        case 4: HTTPHeaders.namesEqual(name, "host")
        case 6: HTTPHeaders.namesEqual(name, "expect")
        case 7: HTTPHeaders.namesEqual(name, "upgrade") || HTTPHeaders.namesEqual(name, "trailer") || HTTPHeaders.namesEqual(name, "api-key")
        case 9: HTTPHeaders.namesEqual(name, "x-api-key")
        case 10: HTTPHeaders.namesEqual(name, "connection") || HTTPHeaders.namesEqual(name, "keep-alive")
        case 13: HTTPHeaders.namesEqual(name, "authorization")
        case 14: HTTPHeaders.namesEqual(name, "content-length")
        case 15: HTTPHeaders.namesEqual(name, "accept-encoding")
        case 16: HTTPHeaders.namesEqual(name, "proxy-connection")
        case 17: HTTPHeaders.namesEqual(name, "transfer-encoding")
        case 19: HTTPHeaders.namesEqual(name, "proxy-authorization")
        default: false
        }
    }

    /// Removed from responses before they go to the client; the server frames the body itself.
    static func isDroppedFromResponse(_ name: String) -> Bool {
        switch name.utf8.count {
        case 2: HTTPHeaders.namesEqual(name, "te")
        case 7: HTTPHeaders.namesEqual(name, "upgrade") || HTTPHeaders.namesEqual(name, "trailer")
        case 10: HTTPHeaders.namesEqual(name, "connection") || HTTPHeaders.namesEqual(name, "keep-alive")
        case 14: HTTPHeaders.namesEqual(name, "content-length")
        case 16: HTTPHeaders.namesEqual(name, "proxy-connection")
        case 17: HTTPHeaders.namesEqual(name, "transfer-encoding")
        case 18: HTTPHeaders.namesEqual(name, "proxy-authenticate")
        default: false
        }
    }
}
